// Package opaque makes and checks the issuer's opaque tokens.
//
// A token is <prefix><key>.<signature>: key is the issue time (8 bytes, Unix
// nanoseconds) and 32 random bytes, signature is HMAC-SHA256 of prefix and key under a
// server secret, both base64url. Only the time and the signature are stored (they are
// the token's ID), so a copy of the store yields no usable token, and a forged or
// mistyped token is refused before any storage read. The time leads the ID so that
// tokens issued together sit together in the store's B-tree: a commit of many new
// tokens then rewrites one leaf page instead of one per token, which halves its cost.
// The prefixes let secret scanners recognise leaked tokens.
package opaque

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"sync"
	"time"
)

// Prefix names a kind of token in its first characters.
type Prefix string

// The token kinds this issuer makes.
const (
	AccessTokenPrefix  Prefix = "cao_at_"
	RefreshTokenPrefix Prefix = "cao_rt_"
)

const (
	timeBytes   = 8
	randomBytes = 32
	keyLen      = 54 // base64url, unpadded, of the 40-byte key
	sigLen      = 43 // base64url, unpadded, of a SHA-256 HMAC
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
	var key [timeBytes + randomBytes]byte
	binary.BigEndian.PutUint64(key[:timeBytes], uint64(time.Now().UnixNano()))
	if _, err := rand.Read(key[timeBytes:]); err != nil {
		return "", "", err
	}
	head := string(p) + b64.EncodeToString(key[:])
	sig := c.sign(head)
	return head + "." + sig, hex.EncodeToString(key[:timeBytes]) + sig, nil
}

// Check verifies that token was made by this codec, of any kind, and returns its ID.
// It reads nothing from storage; the caller looks the ID up (the stored record says
// what kind of token it is).
func (c *Codec) Check(token string) (id string, err error) {
	p := kind(token)
	if p == "" || len(token) != len(p)+keyLen+1+sigLen || !strings.HasPrefix(token, string(p)) || token[len(p)+keyLen] != '.' {
		return "", ErrMalformed
	}
	head, sig := token[:len(p)+keyLen], token[len(p)+keyLen+1:]
	var key [timeBytes + randomBytes]byte
	if n, err := b64.Decode(key[:], []byte(head[len(p):])); err != nil || n != len(key) {
		return "", ErrMalformed
	}
	want := c.sign(head)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", ErrMalformed
	}
	return hex.EncodeToString(key[:timeBytes]) + want, nil
}

// kind returns the prefix a token claims, or "" for none of ours.
func kind(token string) Prefix {
	for _, p := range []Prefix{AccessTokenPrefix, RefreshTokenPrefix} {
		if strings.HasPrefix(token, string(p)) {
			return p
		}
	}
	return ""
}
