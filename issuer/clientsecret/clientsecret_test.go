package clientsecret

import (
	"encoding/base64"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestVerifiers(t *testing.T) {
	bc, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() (Verifier, error){
		"plain":         func() (Verifier, error) { return Plain("s3cret"), nil },
		"sha256 hex":    func() (Verifier, error) { return Parse(Hash("s3cret")) },
		"sha256 base64": func() (Verifier, error) { return Parse("sha256:HsHCa1DV08WNlYMYGvgHZlX+AHVr9yhZQLo2cPmfy6A=") },
		"bcrypt":        func() (Verifier, error) { return Parse(string(bc)) },
		"bcrypt base64": func() (Verifier, error) { return Parse(base64.StdEncoding.EncodeToString(bc)) },
	}
	for name, mk := range cases {
		v, err := mk()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Twice each: the bcrypt verifier's remembered digest must agree with bcrypt.
		for range 2 {
			if !v.Verify("s3cret") {
				t.Errorf("%s: the right secret was refused", name)
			}
			for _, wrong := range []string{"", "s3cre", "s3cret ", "S3cret"} {
				if v.Verify(wrong) {
					t.Errorf("%s: wrong secret %q accepted", name, wrong)
				}
			}
		}
	}
}

func TestParseRefusals(t *testing.T) {
	for _, h := range []string{"", "s3cret", "sha256:abc", "sha256:" + string(make([]byte, 64)), "$2a$10$short", "JDJhJDEwJ!!"} {
		if _, err := Parse(h); err == nil {
			t.Errorf("Parse(%q) accepted", h)
		}
	}
}
