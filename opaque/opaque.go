// Package opaque makes and checks the issuer's opaque tokens.
//
// A token is <prefix><key>.<signature>: key is 32 random bytes, signature is
// HMAC-SHA256 of prefix and key under a server secret, both base64url. Only the
// signature is stored (it is the token's ID), so a copy of the store yields no
// usable token, and a forged or mistyped token is refused before any storage read.
// The prefixes let secret scanners recognise leaked tokens.
package opaque

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strings"
	"sync"
)

// Prefix names a kind of token in its first characters.
type Prefix string

// The token kinds this issuer makes.
const (
	AccessTokenPrefix  Prefix = "cao_at_"
	RefreshTokenPrefix Prefix = "cao_rt_"
)

const (
	keyBytes = 32
	encLen   = 43 // base64url, unpadded, of 32 bytes
)

var b64 = base64.RawURLEncoding

// ErrMalformed means the string is not a token this codec made.
var ErrMalformed = errors.New("not a token issued here")

// Codec makes and checks tokens with one secret.
type Codec struct {
	// macs keeps keyed HMAC states for reuse: a check runs on every gateway request,
	// and setting up an HMAC key costs more than hashing a token.
	macs sync.Pool
}

// NewCodec returns a codec keyed with secret, which must be at least 32 bytes.
func NewCodec(secret []byte) (*Codec, error) {
	if len(secret) < 32 {
		return nil, errors.New("opaque: the token secret must be at least 32 bytes")
	}
	key := append([]byte(nil), secret...)
	c := &Codec{}
	c.macs.New = func() any { return hmac.New(sha256.New, key) }
	return c, nil
}

func (c *Codec) sign(prefixAndKey string) string {
	m := c.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(prefixAndKey))
	var sum [sha256.Size]byte
	sig := b64.EncodeToString(m.Sum(sum[:0]))
	c.macs.Put(m)
	return sig
}

// New makes a token of the given kind and returns it with its ID, the value to store.
func (c *Codec) New(p Prefix) (token, id string, err error) {
	var key [keyBytes]byte
	if _, err := rand.Read(key[:]); err != nil {
		return "", "", err
	}
	head := string(p) + b64.EncodeToString(key[:])
	id = c.sign(head)
	return head + "." + id, id, nil
}

// Check verifies that token was made by this codec with prefix p and returns its ID.
// It reads nothing from storage; the caller looks the ID up.
func (c *Codec) Check(token string, p Prefix) (id string, err error) {
	if p == "" || len(token) != len(p)+encLen+1+encLen || !strings.HasPrefix(token, string(p)) || token[len(p)+encLen] != '.' {
		return "", ErrMalformed
	}
	head, sig := token[:len(p)+encLen], token[len(p)+encLen+1:]
	want := c.sign(head)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", ErrMalformed
	}
	return want, nil
}

// Kind returns the prefix a token claims, or "" for none of ours. It is a hint only:
// Check is what proves the token.
func Kind(token string) Prefix {
	for _, p := range []Prefix{AccessTokenPrefix, RefreshTokenPrefix} {
		if strings.HasPrefix(token, string(p)) {
			return p
		}
	}
	return ""
}
