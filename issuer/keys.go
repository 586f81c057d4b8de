package issuer

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/caddy-oauth2/caddy-oauth2/opaque"
	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// loadKeys makes the issuer's keys on first start, or loads them: the secret that
// identifies opaque tokens, and the RS256 key published in JWKS (OpenID Connect
// requires RS256 for ID tokens; it signs them once they exist).
func (s *Server) loadKeys(ctx context.Context) error {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	hk, err := s.store.EnsureKey(ctx, storage.Key{
		ID: "hmac-" + randomID(), Purpose: storage.PurposeTokenHMAC, Algorithm: "HS256",
		State: storage.KeyActive, Private: secret, CreatedAt: time.Now(),
	})
	if err != nil {
		return fmt.Errorf("loading the token secret: %w", err)
	}
	if s.codec, err = opaque.NewCodec(hk.Private); err != nil {
		return err
	}

	keys, err := s.store.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("loading signing keys: %w", err)
	}
	if !slices.ContainsFunc(keys, func(k storage.Key) bool {
		return k.Purpose == storage.PurposeSigning && k.State == storage.KeyActive
	}) {
		k, err := newRSAKey()
		if err != nil {
			return err
		}
		if _, err := s.store.EnsureKey(ctx, k); err != nil {
			return fmt.Errorf("storing the signing key: %w", err)
		}
		if keys, err = s.store.ListKeys(ctx); err != nil {
			return fmt.Errorf("loading signing keys: %w", err)
		}
	}
	return s.buildJWKS(keys)
}

func newRSAKey() (storage.Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return storage.Key{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storage.Key{}, err
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return storage.Key{}, err
	}
	return storage.Key{
		ID: base64.RawURLEncoding.EncodeToString(thumb), Purpose: storage.PurposeSigning, Algorithm: "RS256",
		State: storage.KeyActive, Private: der, CreatedAt: time.Now(),
	}, nil
}

// buildJWKS publishes the public half of every signing key that is not yet or still
// in use, oldest first.
func (s *Server) buildJWKS(keys []storage.Key) error {
	slices.SortFunc(keys, func(a, b storage.Key) int { return a.CreatedAt.Compare(b.CreatedAt) })
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range keys {
		if k.Purpose != storage.PurposeSigning {
			continue
		}
		priv, err := x509.ParsePKCS8PrivateKey(k.Private)
		if err != nil {
			return fmt.Errorf("signing key %s is corrupt: %w", k.ID, err)
		}
		signer, ok := priv.(crypto.Signer)
		if !ok {
			return fmt.Errorf("signing key %s is not a signing key", k.ID)
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: signer.Public(), KeyID: k.ID, Algorithm: k.Algorithm, Use: "sig"})
	}
	var err error
	s.jwks, err = json.Marshal(set)
	return err
}

func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	serveStatic(w, r, s.jwks, "application/jwk-set+json")
}

// serveStatic answers GET and HEAD with a public, briefly cacheable JSON document
// that browsers on other origins may read.
func serveStatic(w http.ResponseWriter, r *http.Request, body []byte, contentType string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, errInvalidRequest("this endpoint accepts only GET"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}
