package bbolt

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// Token records are read on every gateway request and every introspection, so they
// are stored in a compact binary form rather than JSON (whose decoding was the largest
// cost of a local token check): a version byte, then length-prefixed strings, lists
// of strings, and times as Unix nanoseconds, all as varints.

const tokenFormatV1 = 1

var errCorrupt = errors.New("corrupt token record")

func encodeToken(t storage.Token) []byte {
	b := make([]byte, 0, 128)
	b = append(b, tokenFormatV1)
	for _, s := range []string{t.ID, string(t.Kind), t.GrantID, t.ClientID, t.Subject, t.Username} {
		b = appendString(b, s)
	}
	b = appendStrings(b, t.Scopes)
	b = appendStrings(b, t.Audience)
	b = binary.AppendVarint(b, t.IssuedAt.UnixNano())
	b = binary.AppendVarint(b, t.ExpiresAt.UnixNano())
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// decoder reads a record; the first error sticks, so decodeToken checks once.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errCorrupt, nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strings() []string {
	n := d.uvarint()
	if n == 0 || n > uint64(len(d.b)) { // every string takes at least one byte
		if n != 0 {
			d.err, d.b = errCorrupt, nil
		}
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.string()
	}
	return ss
}

func decodeToken(b []byte) (storage.Token, error) {
	if len(b) == 0 || b[0] != tokenFormatV1 {
		return storage.Token{}, errCorrupt
	}
	d := decoder{b: b[1:]}
	t := storage.Token{
		ID: d.string(), Kind: storage.TokenKind(d.string()), GrantID: d.string(),
		ClientID: d.string(), Subject: d.string(), Username: d.string(),
		Scopes: d.strings(), Audience: d.strings(),
	}
	iat, exp := d.varint(), d.varint()
	if d.err != nil || len(d.b) != 0 {
		return storage.Token{}, errCorrupt
	}
	t.IssuedAt, t.ExpiresAt = time.Unix(0, iat), time.Unix(0, exp)
	return t, nil
}
