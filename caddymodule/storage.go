package caddymodule

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
	bboltstore "github.com/caddy-oauth2/caddy-oauth2/storage/bbolt"
)

func init() {
	caddy.RegisterModule(BboltStorage{})
}

// StorageBackend is a module in the oauth2.storage namespace.
type StorageBackend interface {
	// Open returns the store of the named issuer and a description of where it lives,
	// which must be the same for two configurations that share the store.
	Open(issuerName string) (store storage.Store, where string, err error)
}

// databases holds the open bbolt files of this process, keyed by absolute path.
// Caddy starts a new config before it stops the old one, and bbolt locks its file, so
// a reload must share the open database instead of opening it again.
var databases = caddy.NewUsagePool()

// lockTimeout bounds the wait for a bbolt file that another process holds.
const lockTimeout = 5 * time.Second

// BboltStorage keeps an issuer's state in one bbolt file.
type BboltStorage struct {
	// Path of the database file. Default: oauth2/<issuer name>.db in Caddy's data directory.
	Path string `json:"path,omitempty"`

	opened string
}

// CaddyModule returns the Caddy module information.
func (BboltStorage) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "oauth2.storage.bbolt", New: func() caddy.Module { return new(BboltStorage) }}
}

type openDB struct{ *bboltstore.Store }

func (d openDB) Destruct() error { return d.Close() }

// Open implements StorageBackend.
func (b *BboltStorage) Open(issuerName string) (storage.Store, string, error) {
	path := b.Path
	if path == "" {
		path = filepath.Join(caddy.AppDataDir(), "oauth2", issuerName+".db")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("storage path %q: %w", path, err)
	}
	v, _, err := databases.LoadOrNew(abs, func() (caddy.Destructor, error) {
		s, err := bboltstore.Open(abs, lockTimeout)
		if err != nil {
			return nil, err
		}
		return openDB{s}, nil
	})
	if err != nil {
		return nil, "", err
	}
	b.opened = abs
	return v.(openDB).Store, abs, nil
}

// Cleanup releases this config's use of the database; the file closes when no
// config uses it any more.
func (b *BboltStorage) Cleanup() error {
	if b.opened == "" {
		return nil
	}
	_, err := databases.Delete(b.opened)
	b.opened = ""
	return err
}

// UnmarshalCaddyfile reads `bbolt [<file>]`.
func (b *BboltStorage) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the backend name
	if d.NextArg() {
		b.Path = d.Val()
	}
	if d.NextArg() {
		return d.ArgErr()
	}
	if d.NextBlock(0) {
		return d.Errf("unknown bbolt storage option %q", d.Val())
	}
	return nil
}

var (
	_ StorageBackend        = (*BboltStorage)(nil)
	_ caddy.CleanerUpper    = (*BboltStorage)(nil)
	_ caddyfile.Unmarshaler = (*BboltStorage)(nil)
)
