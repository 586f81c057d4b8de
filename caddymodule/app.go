// Package caddymodule is the Caddy glue of caddy-oauth2: the `oauth2` app that owns
// the issuers and their storage, the `oauth2_server` and `oauth2_protect` handlers,
// and their Caddyfile syntax. The OAuth logic lives in issuer, introspection and gateway.
package caddymodule

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/caddy-oauth2/caddy-oauth2/issuer"
	"github.com/caddy-oauth2/caddy-oauth2/issuer/clientsecret"
)

func init() {
	caddy.RegisterModule(App{})
}

// App is the `oauth2` app: it owns the OAuth 2.0 issuers, so that several sites and
// handlers share one issuer, and its storage outlives config reloads.
type App struct {
	// Issuers by name; handlers refer to an issuer by this name.
	Issuers map[string]*IssuerConfig `json:"issuers,omitempty"`

	issuers map[string]*issuer.Server
	logger  *zap.Logger
	cancel  context.CancelFunc
	done    chan struct{}
}

// IssuerConfig configures one issuer.
type IssuerConfig struct {
	// The issuer identifier (RFC 8414), e.g. https://auth.example.com. Endpoints are
	// served below it: /oauth2/token, /oauth2/introspect, /oauth2/revoke, /oauth2/jwks.json.
	URL string `json:"url,omitempty"`

	// Where the issuer keeps its state. Default: bbolt in Caddy's data directory,
	// at oauth2/<issuer name>.db.
	StorageRaw json.RawMessage `json:"storage,omitempty" caddy:"namespace=oauth2.storage inline_key=backend"`

	// Lifetime of access tokens. Default: 1h.
	AccessTokenTTL caddy.Duration `json:"access_token_ttl,omitempty"`

	// Clients declared in the configuration.
	Clients []*ClientConfig `json:"clients,omitempty"`
}

// ClientConfig is a client declared in the configuration. Field names follow the
// client metadata of RFC 7591.
type ClientConfig struct {
	ClientID string `json:"client_id"`
	// The secret in the clear; placeholders such as {env.CLIENT_SECRET} are replaced
	// at provisioning. Only its hash is kept in memory.
	ClientSecret string `json:"client_secret,omitempty"`
	// The secret's hash instead: "sha256:<hex>" or a bcrypt hash.
	ClientSecretHash string `json:"client_secret_hash,omitempty"`
	// Grant types the client may use. Default: client_credentials.
	GrantTypes []string `json:"grant_types,omitempty"`
	// Scopes the client may be granted.
	Scopes []string `json:"scopes,omitempty"`
	// client_secret_basic (default) or client_secret_post.
	TokenEndpointAuthMethod string `json:"token_endpoint_auth_method,omitempty"`
}

// CaddyModule returns the Caddy module information.
func (App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "oauth2", New: func() caddy.Module { return new(App) }}
}

// Provision opens each issuer's storage and builds the issuer.
func (a *App) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	a.issuers = make(map[string]*issuer.Server, len(a.Issuers))
	paths := map[string]string{}
	for _, name := range sortedNames(a.Issuers) {
		cfg := a.Issuers[name]
		if cfg == nil {
			return fmt.Errorf("issuer %q: empty configuration", name)
		}
		if cfg.StorageRaw == nil {
			cfg.StorageRaw = json.RawMessage(`{"backend":"bbolt"}`)
		}
		mod, err := ctx.LoadModule(cfg, "StorageRaw")
		if err != nil {
			return fmt.Errorf("issuer %q: loading storage: %w", name, err)
		}
		backend, ok := mod.(StorageBackend)
		if !ok {
			return fmt.Errorf("issuer %q: module %T is not an oauth2 storage backend", name, mod)
		}
		store, where, err := backend.Open(name)
		if err != nil {
			return fmt.Errorf("issuer %q: %w", name, err)
		}
		if other, taken := paths[where]; taken {
			return fmt.Errorf("issuers %q and %q use the same storage %s: each issuer needs its own", other, name, where)
		}
		paths[where] = name
		clients, err := issuerClients(cfg.Clients)
		if err != nil {
			return fmt.Errorf("issuer %q: %w", name, err)
		}
		srv, err := issuer.New(ctx, issuer.Config{
			URL: cfg.URL, AccessTokenTTL: time.Duration(cfg.AccessTokenTTL), Clients: clients,
			Store: store, Logger: a.logger.With(zap.String("issuer", name)),
		})
		if err != nil {
			return fmt.Errorf("issuer %q: %w", name, err)
		}
		a.issuers[name] = srv
	}
	return nil
}

func sortedNames[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func issuerClients(cfgs []*ClientConfig) ([]*issuer.Client, error) {
	repl := caddy.NewReplacer()
	clients := make([]*issuer.Client, 0, len(cfgs))
	for _, c := range cfgs {
		var verifier clientsecret.Verifier
		switch {
		case c.ClientSecret != "" && c.ClientSecretHash != "":
			return nil, fmt.Errorf("client %q: give a secret or a secret_hash, not both", c.ClientID)
		case c.ClientSecret != "":
			secret := repl.ReplaceKnown(c.ClientSecret, "")
			if secret == "" {
				return nil, fmt.Errorf("client %q: the secret is empty (is its environment variable set?)", c.ClientID)
			}
			verifier = clientsecret.Plain(secret)
		case c.ClientSecretHash != "":
			var err error
			if verifier, err = clientsecret.Parse(repl.ReplaceKnown(c.ClientSecretHash, "")); err != nil {
				return nil, fmt.Errorf("client %q: %w", c.ClientID, err)
			}
		}
		clients = append(clients, &issuer.Client{
			ID: c.ClientID, Secret: verifier, GrantTypes: c.GrantTypes, Scopes: c.Scopes,
			AuthMethod: c.TokenEndpointAuthMethod,
		})
	}
	return clients, nil
}

// sweepInterval is how often expired tokens are removed from storage.
const sweepInterval = 5 * time.Minute

// Start starts the expiry sweeper.
func (a *App) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel, a.done = cancel, make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(sweepInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for name, srv := range a.issuers {
					if n, err := srv.SweepExpired(ctx); err != nil && ctx.Err() == nil {
						a.logger.Error("sweeping expired tokens", zap.String("issuer", name), zap.Error(err))
					} else if n > 0 {
						a.logger.Debug("swept expired tokens", zap.String("issuer", name), zap.Int("count", n))
					}
				}
			}
		}
	}()
	return nil
}

// Stop stops the sweeper. Storage is released by the storage modules' Cleanup,
// after the next config (which may share it) has started.
func (a *App) Stop() error {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
	return nil
}

// Issuer returns the issuer with this name.
func (a *App) Issuer(name string) (*issuer.Server, error) {
	srv := a.issuers[name]
	if srv == nil {
		return nil, fmt.Errorf("no oauth2 issuer named %q (declare it in the oauth2 global option)", name)
	}
	return srv, nil
}

// issuerFromContext finds an issuer of the oauth2 app for a handler.
func issuerFromContext(ctx caddy.Context, name string) (*issuer.Server, error) {
	if name == "" {
		return nil, fmt.Errorf("an issuer name is required")
	}
	appIface, err := ctx.App("oauth2")
	if err != nil {
		return nil, fmt.Errorf("getting the oauth2 app: %w", err)
	}
	return appIface.(*App).Issuer(name)
}

// Interface guards.
var (
	_ caddy.App         = (*App)(nil)
	_ caddy.Provisioner = (*App)(nil)
)
