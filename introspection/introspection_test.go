package introspection

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestResultJSON(t *testing.T) {
	inactive, _ := json.Marshal(Result{Scopes: []string{"leak"}, ClientID: "leak"})
	if string(inactive) != `{"active":false}` {
		t.Fatalf("inactive result says more than it may: %s", inactive)
	}
	at := time.Unix(1700000000, 0)
	active, _ := json.Marshal(Result{
		Active: true, Scopes: []string{"read", "write"}, ClientID: "c", Subject: "c",
		TokenType: "Bearer", Issuer: "https://issuer", IssuedAt: at, ExpiresAt: at.Add(time.Hour),
	})
	want := `{"active":true,"scope":"read write","client_id":"c","token_type":"Bearer","exp":1700003600,"iat":1700000000,"sub":"c","iss":"https://issuer"}`
	if string(active) != want {
		t.Fatalf("got  %s\nwant %s", active, want)
	}
}

func TestHasScopes(t *testing.T) {
	r := Result{Active: true, Scopes: []string{"a", "b"}}
	for _, c := range []struct {
		req  []string
		want bool
	}{{nil, true}, {[]string{"a"}, true}, {[]string{"b", "a"}, true}, {[]string{"a", "c"}, false}, {[]string{"A"}, false}} {
		if got := r.HasScopes(c.req); got != c.want {
			t.Errorf("HasScopes(%v) = %v", c.req, got)
		}
	}
}

// TestResultJSONEscaping checks the hand-written encoder against encoding/json's
// reading of it, for values with every kind of character that needs care.
func TestResultJSONEscaping(t *testing.T) {
	odd := "q\"b\\s/\x00\x1f\t\n<>&é\xff日本"
	r := Result{Active: true, Scopes: []string{odd, "x"}, ClientID: odd, Username: odd, Subject: odd,
		TokenType: "Bearer", Audience: []string{odd, "a"}, Issuer: odd, IssuedAt: time.Unix(1, 0), ExpiresAt: time.Unix(2, 0)}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Active                              bool
		Scope, ClientID, Username, Sub, Iss string
		TokenType                           string `json:"token_type"`
		Aud                                 []string
		Exp, Iat                            int64
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	want := strings.ToValidUTF8(odd, "\uFFFD")
	if !got.Active || got.Sub != want || got.Iss != want || got.Username != want || got.Scope != want+" x" ||
		len(got.Aud) != 2 || got.Aud[0] != want || got.Exp != 2 || got.Iat != 1 || got.TokenType != "Bearer" {
		t.Fatalf("round trip of %s gave %+v", b, got)
	}
}
