// Package clientsecret checks client secrets in constant time without keeping them.
//
// Secrets the server or the operator generates carry enough entropy that a fast hash
// is the right tool: a slow KDF on every token request would cap the issuer at a few
// hundred tokens per second. bcrypt hashes (from `caddy hash-password`) are accepted
// too; their cost is paid once per client and process, after which the verified
// secret's SHA-256 is remembered.
package clientsecret

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// Verifier checks a presented secret.
type Verifier interface {
	Verify(secret string) bool
}

// sha256Verifier keeps only the SHA-256 of the secret.
type sha256Verifier struct{ digest [sha256.Size]byte }

func (v sha256Verifier) Verify(secret string) bool {
	d := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(d[:], v.digest[:]) == 1
}

// Plain returns a verifier for a secret given in the clear; only its hash is kept.
func Plain(secret string) Verifier {
	return sha256Verifier{sha256.Sum256([]byte(secret))}
}

// Hash returns the SHA-256 form that Parse accepts, for people writing a Caddyfile.
func Hash(secret string) string {
	d := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(d[:])
}

// bcryptVerifier pays bcrypt's cost until a secret verifies, then remembers its digest.
type bcryptVerifier struct {
	hash     []byte
	verified atomic.Pointer[[sha256.Size]byte]
}

func (v *bcryptVerifier) Verify(secret string) bool {
	d := sha256.Sum256([]byte(secret))
	if known := v.verified.Load(); known != nil {
		return subtle.ConstantTimeCompare(d[:], known[:]) == 1
	}
	if bcrypt.CompareHashAndPassword(v.hash, []byte(secret)) != nil {
		return false
	}
	v.verified.Store(&d)
	return true
}

// Parse reads a stored secret hash: "sha256:" followed by the digest in hex or
// base64, or a bcrypt hash ($2a$, $2b$, $2y$), optionally base64-encoded as
// `caddy hash-password` prints it.
func Parse(hash string) (Verifier, error) {
	switch {
	case strings.HasPrefix(hash, "sha256:"):
		enc := strings.TrimPrefix(hash, "sha256:")
		d, err := hex.DecodeString(enc)
		if err != nil {
			d, err = base64.StdEncoding.DecodeString(enc)
		}
		if err != nil || len(d) != sha256.Size {
			return nil, errors.New("a sha256: secret hash needs 32 bytes in hex or base64")
		}
		return sha256Verifier{[sha256.Size]byte(d)}, nil
	case strings.HasPrefix(hash, "$2"):
		return parseBcrypt([]byte(hash))
	case strings.HasPrefix(hash, "JDJ"): // "$2" in base64: caddy hash-password's default output
		raw, err := base64.StdEncoding.DecodeString(hash)
		if err != nil {
			return nil, fmt.Errorf("decoding base64 bcrypt hash: %v", err)
		}
		return parseBcrypt(raw)
	}
	return nil, errors.New(`unknown secret hash format: use "sha256:<hex>" or a bcrypt hash`)
}

func parseBcrypt(h []byte) (Verifier, error) {
	if _, err := bcrypt.Cost(h); err != nil {
		return nil, fmt.Errorf("invalid bcrypt hash: %v", err)
	}
	return &bcryptVerifier{hash: h}, nil
}
