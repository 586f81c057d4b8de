// Package issuer is the OAuth 2.0 authorization server as plain net/http: its
// endpoints, grants and client authentication. It knows the storage interfaces and
// nothing of Caddy, so it can be served and tested on its own.
package issuer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/caddy-oauth2/caddy-oauth2/introspection"
	"github.com/caddy-oauth2/caddy-oauth2/opaque"
	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// Grant types.
const GrantClientCredentials = "client_credentials"

// Endpoint paths, below the issuer URL's own path.
const (
	PathToken      = "/oauth2/token"
	PathIntrospect = "/oauth2/introspect"
	PathRevoke     = "/oauth2/revoke"
	PathJWKS       = "/oauth2/jwks.json"
)

// DefaultAccessTokenTTL is how long an access token lives unless configured.
const DefaultAccessTokenTTL = time.Hour

// Config is what an issuer is made of.
type Config struct {
	// URL is the issuer identifier (RFC 8414 §2): https (or http for local use), no
	// query or fragment. Endpoints live below it.
	URL            string
	AccessTokenTTL time.Duration
	Clients        []*Client
	Store          storage.Store
	Logger         *zap.Logger
}

// Server is one issuer.
type Server struct {
	url, realm     string
	accessTokenTTL time.Duration
	clients        map[string]*Client
	store          storage.Store
	codec          *opaque.Codec
	validator      *introspection.Local
	logger         *zap.Logger
	routes         map[string]http.HandlerFunc
	grants         map[string]grantHandler
	discovery      []byte
	jwks           []byte
}

// grantHandler issues tokens for one grant type to an authenticated client that is
// allowed to use it.
type grantHandler func(ctx context.Context, c *Client, form map[string][]string) (*tokenResponse, *Error)

// New checks cfg, loads or creates the issuer's keys, and returns the issuer.
func New(ctx context.Context, cfg Config) (*Server, error) {
	issuerURL, err := checkIssuerURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		return nil, errors.New("issuer: no storage")
	}
	s := &Server{
		url: issuerURL, realm: issuerURL, accessTokenTTL: cfg.AccessTokenTTL,
		clients: make(map[string]*Client, len(cfg.Clients)), store: cfg.Store, logger: cfg.Logger,
	}
	if s.accessTokenTTL == 0 {
		s.accessTokenTTL = DefaultAccessTokenTTL
	}
	if s.accessTokenTTL < time.Second {
		return nil, fmt.Errorf("access token lifetime %s is too short: at least one second", s.accessTokenTTL)
	}
	if s.logger == nil {
		s.logger = zap.NewNop()
	}
	s.grants = map[string]grantHandler{GrantClientCredentials: s.clientCredentials}
	for i, c := range cfg.Clients {
		if c == nil {
			return nil, fmt.Errorf("client %d is nil", i)
		}
		if err := s.checkClient(c); err != nil {
			return nil, fmt.Errorf("client %q: %w", c.ID, err)
		}
		if s.clients[c.ID] != nil {
			return nil, fmt.Errorf("client %q is declared twice", c.ID)
		}
		s.clients[c.ID] = c
	}
	if err := s.loadKeys(ctx); err != nil {
		return nil, err
	}
	s.validator = &introspection.Local{Issuer: s.url, Codec: s.codec, Tokens: s.store}
	if s.discovery, err = s.metadata(); err != nil {
		return nil, err
	}
	base := s.path()
	s.routes = map[string]http.HandlerFunc{
		base + PathToken:      s.handleToken,
		base + PathIntrospect: s.handleIntrospect,
		base + PathRevoke:     s.handleRevoke,
		base + PathJWKS:       s.handleJWKS,
		// RFC 8414 §3 puts the well-known segment before the issuer's path; OpenID
		// Connect Discovery §4 appends it.
		"/.well-known/oauth-authorization-server" + base: s.handleDiscovery,
		base + "/.well-known/openid-configuration":       s.handleDiscovery,
	}
	return s, nil
}

func checkIssuerURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("issuer url is required (e.g. https://auth.example.com)")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("issuer url %q must be an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("issuer url %q must not have a query, fragment or user info (RFC 8414 §2)", raw)
	}
	// Trailing slashes are trimmed so the advertised endpoints are the served ones.
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

func (s *Server) path() string {
	u, _ := url.Parse(s.url)
	return u.Path
}

func (s *Server) checkClient(c *Client) error {
	if c.ID == "" {
		return errors.New("client_id is empty")
	}
	if c.Secret == nil {
		return errors.New("a secret or secret_hash is required")
	}
	if c.AuthMethod == "" {
		c.AuthMethod = AuthSecretBasic
	}
	if !slices.Contains(authMethods, c.AuthMethod) {
		return fmt.Errorf("auth_method %q is not supported (use one of %s)", c.AuthMethod, strings.Join(authMethods, ", "))
	}
	if len(c.GrantTypes) == 0 {
		c.GrantTypes = []string{GrantClientCredentials}
	}
	for _, g := range c.GrantTypes {
		if s.grants[g] == nil {
			return fmt.Errorf("grant type %q is not supported (supported: %s)", g, strings.Join(s.grantTypes(), ", "))
		}
	}
	for _, sc := range c.Scopes {
		if !validScopeToken(sc) {
			return fmt.Errorf("scope %q has characters that RFC 6749 §3.3 does not allow", sc)
		}
	}
	return nil
}

func (s *Server) grantTypes() []string {
	var gs []string
	for g := range s.grants {
		gs = append(gs, g)
	}
	slices.Sort(gs)
	return gs
}

// URL returns the issuer identifier.
func (s *Server) URL() string { return s.url }

// Validator returns the in-process token validator, shared with the gateway.
func (s *Server) Validator() introspection.Validator { return s.validator }

// Handler returns the handler of an issuer endpoint at path, or nil when the path
// is not one of the issuer's, so a host can pass the request on.
func (s *Server) Handler(path string) http.Handler {
	if h := s.routes[path]; h != nil {
		return h
	}
	return nil
}

// ServeHTTP serves the issuer's endpoints and answers 404 elsewhere.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.routes[r.URL.Path]; h != nil {
		h(w, r)
		return
	}
	http.NotFound(w, r)
}

// sweepBatch bounds one sweep transaction, so it never blocks token writes for long.
const sweepBatch = 1000

// SweepExpired removes expired tokens in small batches and says how many.
func (s *Server) SweepExpired(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := s.store.DeleteExpiredTokens(ctx, time.Now(), sweepBatch)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
	return total, ctx.Err()
}

// randomID makes an ID that starts with the time, so IDs made together sort together
// (grant IDs are keys of a storage index, where that keeps commits small), followed
// by 64 random bits.
func randomID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixNano()))
	rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}
