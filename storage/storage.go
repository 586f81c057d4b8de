// Package storage defines what the issuer keeps: plain structs as stored values and
// small interfaces, one per concern, that every backend implements. Nothing here
// knows bbolt or SQL, so a backend can implement each method as one transaction.
package storage

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every backend returns, so callers can tell a miss from a failure.
var (
	ErrNotFound      = errors.New("storage: not found")
	ErrAlreadyExists = errors.New("storage: already exists")
	ErrClosed        = errors.New("storage: closed")
)

// TokenKind says what a stored token is.
type TokenKind string

// The kinds of tokens the issuer stores.
const (
	AccessToken  TokenKind = "access_token"
	RefreshToken TokenKind = "refresh_token"
)

// Token is the stored record of an issued token. The token string itself is never
// stored: ID is a keyed hash of it (see package opaque), so a copy of the store
// cannot be turned back into usable tokens.
type Token struct {
	ID   string    `json:"id"`
	Kind TokenKind `json:"kind"`
	// GrantID names the grant the token belongs to; every token, code and refresh
	// token of one grant shares it, so one write can revoke the whole grant.
	GrantID   string    `json:"grant_id"`
	ClientID  string    `json:"client_id"`
	Subject   string    `json:"sub"`
	Username  string    `json:"username,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	Audience  []string  `json:"aud,omitempty"`
	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`
}

// Tokens stores issued tokens.
type Tokens interface {
	// CreateToken stores t durably before it returns; ErrAlreadyExists if t.ID is taken.
	CreateToken(ctx context.Context, t Token) error
	// GetToken returns the token with this ID, or ErrNotFound. It does not check
	// expiry: that is the caller's policy.
	GetToken(ctx context.Context, id string) (Token, error)
	// DeleteToken removes one token; removing an absent token is not an error.
	DeleteToken(ctx context.Context, id string) error
	// DeleteGrant removes every token of a grant in one transaction and says how many.
	DeleteGrant(ctx context.Context, grantID string) (int, error)
	// DeleteExpiredTokens removes at most max tokens that expired before now, so a
	// sweep never holds a long write transaction; it says how many it removed.
	DeleteExpiredTokens(ctx context.Context, now time.Time, max int) (int, error)
}

// KeyState is where a key is in its rotation.
type KeyState string

// Key states: a next key is published but not used to sign yet, an active key
// signs, a retired key is published until what it signed has expired.
const (
	KeyNext    KeyState = "next"
	KeyActive  KeyState = "active"
	KeyRetired KeyState = "retired"
)

// Key purposes.
const (
	// PurposeSigning keys sign JWTs (ID tokens, JWT access tokens) and are published in JWKS.
	PurposeSigning = "signing"
	// PurposeTokenHMAC keys make the keyed hashes that identify opaque tokens.
	PurposeTokenHMAC = "token-hmac"
)

// Key is secret key material the issuer generates and keeps.
type Key struct {
	ID        string    `json:"id"`
	Purpose   string    `json:"purpose"`
	Algorithm string    `json:"alg"`
	State     KeyState  `json:"state"`
	Private   []byte    `json:"private"` // PKCS #8 DER for signing keys, raw bytes for HMAC keys
	CreatedAt time.Time `json:"created_at"`
}

// Keys stores key material.
type Keys interface {
	// ListKeys returns every key, in no particular order.
	ListKeys(ctx context.Context) ([]Key, error)
	// EnsureKey stores k unless an active key of k.Purpose exists, atomically, and
	// returns the active key of that purpose: two nodes starting at once agree on one.
	EnsureKey(ctx context.Context, k Key) (Key, error)
}

// Store is everything one issuer keeps.
type Store interface {
	Tokens
	Keys
}
