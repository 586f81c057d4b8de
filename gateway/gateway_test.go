package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/gateway"
	"github.com/caddy-oauth2/caddy-oauth2/introspection"
	"github.com/caddy-oauth2/caddy-oauth2/opaque"
	"github.com/caddy-oauth2/caddy-oauth2/storage"
	"github.com/caddy-oauth2/caddy-oauth2/storage/bbolt"
)

// setup returns a guard over a real store and codec, and a way to issue tokens into it.
func setup(t *testing.T, scopes ...string) (*gateway.Guard, func(kind storage.TokenKind, ttl time.Duration, scopes ...string) string) {
	store, err := bbolt.Open(filepath.Join(t.TempDir(), "db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	codec, err := opaque.NewCodec(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	issue := func(kind storage.TokenKind, ttl time.Duration, scopes ...string) string {
		prefix := opaque.AccessTokenPrefix
		if kind == storage.RefreshToken {
			prefix = opaque.RefreshTokenPrefix
		}
		tok, id, err := codec.New(prefix)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		err = store.CreateToken(context.Background(), storage.Token{ID: id, Kind: kind, GrantID: id, ClientID: "c", Subject: "s", Scopes: scopes, IssuedAt: now, ExpiresAt: now.Add(ttl)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	v := &introspection.Local{Issuer: "http://issuer.test", Codec: codec, Tokens: store}
	return &gateway.Guard{Validator: v, Scopes: scopes, Realm: "api"}, issue
}

func request(authorization ...string) *http.Request {
	r, _ := http.NewRequest("GET", "http://api.test/", nil)
	for _, a := range authorization {
		r.Header.Add("Authorization", a)
	}
	return r
}

func TestCheck(t *testing.T) {
	g, issue := setup(t, "read", "write")
	good := issue(storage.AccessToken, time.Hour, "read", "write", "extra")
	for _, c := range []struct {
		name      string
		req       *http.Request
		status    int
		challenge string
	}{
		{"valid token with every scope", request("Bearer " + good), 0, ""},
		{"scheme in any case", request("BEARER " + good), 0, ""},
		{"no header", request(), 401, `Bearer realm="api"`},
		{"other scheme", request("Basic YTpi"), 401, `Bearer realm="api"`},
		{"two headers", request("Bearer "+good, "Bearer "+good), 400, `Bearer realm="api", error="invalid_request", error_description="more than one Authorization header"`},
		{"empty token", request("Bearer "), 400, `Bearer realm="api", error="invalid_request", error_description="the Authorization header is malformed"`},
		{"token with a space", request("Bearer " + good + " x"), 400, `Bearer realm="api", error="invalid_request", error_description="the Authorization header is malformed"`},
		{"unknown token", request("Bearer abc"), 401, `Bearer realm="api", error="invalid_token", error_description="the access token is invalid, expired or revoked"`},
		{"expired token", request("Bearer " + issue(storage.AccessToken, -time.Second, "read", "write")), 401, `Bearer realm="api", error="invalid_token", error_description="the access token is invalid, expired or revoked"`},
		{"refresh token as bearer", request("Bearer " + issue(storage.RefreshToken, time.Hour, "read", "write")), 401, `Bearer realm="api", error="invalid_token", error_description="the access token is invalid, expired or revoked"`},
		{"one scope missing", request("Bearer " + issue(storage.AccessToken, time.Hour, "read")), 403, `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read write"`},
		{"100 KB token", request("Bearer " + strings.Repeat("a", 100<<10)), 401, `Bearer realm="api", error="invalid_token", error_description="the access token is invalid, expired or revoked"`},
	} {
		res, ref := g.Check(context.Background(), c.req)
		if c.status == 0 {
			if ref != nil || !res.Active || res.ClientID != "c" || res.Subject != "s" {
				t.Errorf("%s: refused %v, result %+v", c.name, ref, res)
			}
			continue
		}
		if ref == nil || ref.Status != c.status || ref.Challenge != c.challenge {
			t.Errorf("%s: got %+v, want %d %q", c.name, ref, c.status, c.challenge)
		}
	}
}

// brokenTokens is a store whose reads fail, as a storage outage would.
type brokenTokens struct{ storage.Tokens }

func (brokenTokens) GetToken(context.Context, string) (storage.Token, error) {
	return storage.Token{}, storage.ErrClosed
}

// TestStorageFailureFailsClosed: when validation cannot be done the request is
// refused with 503, never let through.
func TestStorageFailureFailsClosed(t *testing.T) {
	g, issue := setup(t)
	tok := issue(storage.AccessToken, time.Hour)
	local := g.Validator.(*introspection.Local)
	local.Tokens = brokenTokens{local.Tokens}
	_, ref := g.Check(context.Background(), request("Bearer "+tok))
	if ref == nil || ref.Status != http.StatusServiceUnavailable {
		t.Fatalf("got %+v, want a 503 refusal", ref)
	}
}
