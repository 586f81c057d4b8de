package bbolt

import (
	"reflect"
	"testing"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

func TestTokenCodec(t *testing.T) {
	now := time.Unix(1700000000, 123456789)
	for _, tok := range []storage.Token{
		{ID: "id", Kind: storage.AccessToken, GrantID: "g", ClientID: "c", Subject: "s", Username: "ü",
			Scopes: []string{"read", "write"}, Audience: []string{"https://api"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)},
		{ID: "only-id", IssuedAt: now, ExpiresAt: now},
	} {
		b := encodeToken(tok)
		got, err := decodeToken(b)
		if err != nil {
			t.Fatal(err)
		}
		if !got.IssuedAt.Equal(tok.IssuedAt) || !got.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Fatalf("times: got %v %v", got.IssuedAt, got.ExpiresAt)
		}
		got.IssuedAt, got.ExpiresAt, tok.IssuedAt, tok.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, tok) {
			t.Fatalf("got %+v, want %+v", got, tok)
		}
		// Every truncation, and trailing garbage, is an error, never a panic.
		for i := range b {
			if _, err := decodeToken(b[:i]); err == nil {
				t.Fatalf("a record cut to %d of %d bytes decoded", i, len(b))
			}
		}
		if _, err := decodeToken(append(b, 0)); err == nil {
			t.Fatal("trailing bytes were accepted")
		}
	}
	// A huge list length must not allocate or panic.
	if _, err := decodeToken([]byte{1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Fatal("a corrupt list length was accepted")
	}
}
