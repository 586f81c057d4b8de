package opaque

import (
	"bytes"
	"strings"
	"testing"
)

func codec(t *testing.T, b byte) *Codec {
	t.Helper()
	c, err := NewCodec(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	c := codec(t, 1)
	tok, id, err := c.New(AccessTokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	// The ID is the issue time in hex and the signature: nothing of the random part.
	if !strings.HasPrefix(tok, "cao_at_") || !strings.HasSuffix(tok, "."+id[16:]) || strings.Contains(id, tok[7:7+54]) {
		t.Fatalf("token %q / id %q do not have the expected shape", tok, id)
	}
	got, err := c.Check(tok)
	if err != nil || got != id {
		t.Fatalf("Check = %q, %v; want %q", got, err, id)
	}
	if kind(tok) != AccessTokenPrefix {
		t.Fatalf("kind = %q", kind(tok))
	}
	// 32 random bytes: two tokens never repeat; IDs of later tokens sort later.
	tok2, id2, _ := c.New(AccessTokenPrefix)
	if tok2 == tok || id2 == id || id2[:16] < id[:16] {
		t.Fatalf("two tokens are equal or out of order: %s %s", id, id2)
	}
}

func TestRefusals(t *testing.T) {
	c := codec(t, 1)
	tok, _, _ := c.New(AccessTokenPrefix)
	flip := []byte(tok)
	flip[10] ^= 1
	otherSecret, _, _ := codec(t, 2).New(AccessTokenPrefix)
	for name, in := range map[string]string{
		"empty":              "",
		"bit flipped in key": string(flip),
		"other secret":       otherSecret,
		"wrong prefix":       strings.Replace(tok, "cao_at_", "cao_rt_", 1),
		"truncated":          tok[:len(tok)-1],
		"extended":           tok + "A",
		"no dot":             strings.Replace(tok, ".", "A", 1),
		"100 KB":             strings.Repeat("a", 100<<10),
		"non-UTF-8":          string([]byte{0xff, 0xfe}) + tok[2:],
	} {
		if _, err := c.Check(in); err == nil {
			t.Errorf("%s: Check accepted %.40q", name, in)
		}
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := NewCodec(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte secret was accepted")
	}
}
