// Package introspection answers "is this token active, and for whom?" for both the
// issuer's RFC 7662 endpoint and the gateway, so the two can never disagree.
package introspection

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/opaque"
	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// Result is what is known about a token. The zero value is an inactive token, and
// an inactive result tells nothing else (RFC 7662 §2.2).
type Result struct {
	Active    bool
	Scopes    []string
	ClientID  string
	Subject   string
	Username  string
	TokenType string // "Bearer" for access tokens, "refresh_token" for refresh tokens
	Audience  []string
	Issuer    string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// HasScopes reports whether every one of required was granted.
func (r Result) HasScopes(required []string) bool {
	for _, s := range required {
		if !slices.Contains(r.Scopes, s) {
			return false
		}
	}
	return true
}

// MarshalJSON writes the RFC 7662 §2.2 response: exactly {"active":false} for an
// inactive token.
func (r Result) MarshalJSON() ([]byte, error) {
	if !r.Active {
		return []byte(`{"active":false}`), nil
	}
	return json.Marshal(struct {
		Active    bool     `json:"active"`
		Scope     string   `json:"scope,omitempty"`
		ClientID  string   `json:"client_id,omitempty"`
		Username  string   `json:"username,omitempty"`
		TokenType string   `json:"token_type,omitempty"`
		Exp       int64    `json:"exp,omitempty"`
		Iat       int64    `json:"iat,omitempty"`
		Sub       string   `json:"sub,omitempty"`
		Aud       []string `json:"aud,omitempty"`
		Iss       string   `json:"iss,omitempty"`
	}{true, strings.Join(r.Scopes, " "), r.ClientID, r.Username, r.TokenType,
		r.ExpiresAt.Unix(), r.IssuedAt.Unix(), r.Subject, r.Audience, r.Issuer})
}

// Validator checks tokens. An inactive token is a Result, not an error: the error is
// kept for "could not tell" (storage down, remote issuer unreachable), which the
// gateway answers with 503 rather than 401.
type Validator interface {
	Validate(ctx context.Context, token string) (Result, error)
}

// Local validates tokens of an issuer in this process from its store: no network
// call, one read transaction, nothing cached so a revocation takes effect at once.
type Local struct {
	Issuer string
	Codec  *opaque.Codec
	Tokens storage.Tokens
	Now    func() time.Time
}

// Validate implements Validator.
func (l *Local) Validate(ctx context.Context, token string) (Result, error) {
	prefix := opaque.Kind(token)
	if prefix == "" {
		return Result{}, nil
	}
	id, err := l.Codec.Check(token, prefix)
	if err != nil {
		return Result{}, nil
	}
	t, err := l.Tokens.GetToken(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Result{}, nil
	}
	if err != nil {
		return Result{}, err
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	if !now.Before(t.ExpiresAt) {
		return Result{}, nil
	}
	typ := "Bearer"
	if t.Kind == storage.RefreshToken {
		typ = "refresh_token"
	}
	return Result{
		Active: true, Scopes: t.Scopes, ClientID: t.ClientID, Subject: t.Subject,
		Username: t.Username, TokenType: typ, Audience: t.Audience, Issuer: l.Issuer,
		IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
	}, nil
}

var _ Validator = (*Local)(nil)
