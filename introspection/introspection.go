// Package introspection answers "is this token active, and for whom?" for both the
// issuer's RFC 7662 endpoint and the gateway, so the two can never disagree.
package introspection

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
// inactive token. It is written by hand because it is on the introspection hot path.
func (r Result) MarshalJSON() ([]byte, error) {
	if !r.Active {
		return []byte(`{"active":false}`), nil
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"active":true`...)
	b = appendMember(b, "scope", strings.Join(r.Scopes, " "))
	b = appendMember(b, "client_id", r.ClientID)
	b = appendMember(b, "username", r.Username)
	b = appendMember(b, "token_type", r.TokenType)
	b = strconv.AppendInt(append(b, `,"exp":`...), r.ExpiresAt.Unix(), 10)
	b = strconv.AppendInt(append(b, `,"iat":`...), r.IssuedAt.Unix(), 10)
	b = appendMember(b, "sub", r.Subject)
	if len(r.Audience) > 0 {
		b = append(b, `,"aud":[`...)
		for i, a := range r.Audience {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, a)
		}
		b = append(b, ']')
	}
	b = appendMember(b, "iss", r.Issuer)
	return append(b, '}'), nil
}

// appendMember adds ,"name":"value" unless value is empty.
func appendMember(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(append(append(b, ',', '"'), name...), '"', ':')
	return appendString(b, value)
}

// appendString adds s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r) // an invalid byte arrives as U+FFFD
		}
	}
	return append(b, '"')
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
}

// Validate implements Validator.
func (l *Local) Validate(ctx context.Context, token string) (Result, error) {
	id, err := l.Codec.Check(token)
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
	if !time.Now().Before(t.ExpiresAt) {
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
