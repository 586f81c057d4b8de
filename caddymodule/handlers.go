package caddymodule

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-oauth2/caddy-oauth2/gateway"
	"github.com/caddy-oauth2/caddy-oauth2/issuer"
)

func init() {
	caddy.RegisterModule(ServerHandler{})
	caddy.RegisterModule(ProtectHandler{})
}

// ServerHandler serves an issuer's endpoints (token, introspection, revocation, JWKS,
// discovery) and passes every other request to the next handler.
type ServerHandler struct {
	// Name of the issuer in the oauth2 app.
	Issuer string `json:"issuer,omitempty"`

	srv *issuer.Server
}

// CaddyModule returns the Caddy module information.
func (ServerHandler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.oauth2_server", New: func() caddy.Module { return new(ServerHandler) }}
}

// Provision finds the issuer.
func (h *ServerHandler) Provision(ctx caddy.Context) (err error) {
	h.srv, err = issuerFromContext(ctx, h.Issuer)
	return err
}

// ServeHTTP implements caddyhttp.MiddlewareHandler.
func (h *ServerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if e := h.srv.Handler(r.URL.Path); e != nil {
		e.ServeHTTP(w, r)
		return nil
	}
	return next.ServeHTTP(w, r)
}

// ProtectHandler lets a request through only with a valid bearer access token that
// carries the required scopes, and tells the rest of the route who the caller is
// through placeholders: {oauth2.subject}, {oauth2.client_id}, {oauth2.scope},
// {oauth2.username} and {http.auth.user.id}.
type ProtectHandler struct {
	// Name of the issuer in the oauth2 app whose tokens are accepted.
	Issuer string `json:"issuer,omitempty"`
	// Scopes the token must all carry.
	Scopes []string `json:"scopes,omitempty"`
	// Realm named in WWW-Authenticate challenges. Default: the issuer's URL.
	Realm string `json:"realm,omitempty"`
	// Remove the Authorization header before the request goes on, so the token does
	// not reach the upstream.
	StripAuthorization bool `json:"strip_authorization,omitempty"`

	guard  *gateway.Guard
	logger *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (ProtectHandler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.handlers.oauth2_protect", New: func() caddy.Module { return new(ProtectHandler) }}
}

// Provision finds the issuer and builds the guard.
func (h *ProtectHandler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	srv, err := issuerFromContext(ctx, h.Issuer)
	if err != nil {
		return err
	}
	realm := h.Realm
	if realm == "" {
		realm = srv.URL()
	}
	h.guard = &gateway.Guard{Validator: srv.Validator(), Scopes: h.Scopes, Realm: realm}
	return nil
}

// ServeHTTP implements caddyhttp.MiddlewareHandler.
func (h *ProtectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	res, refusal := h.guard.Check(r.Context(), r)
	if refusal != nil {
		if refusal.Status >= 500 {
			h.logger.Error("cannot validate tokens", zap.String("reason", refusal.Reason))
			w.Header().Set("Retry-After", "5")
		} else if c := h.logger.Check(zap.DebugLevel, "request refused"); c != nil {
			c.Write(zap.String("reason", refusal.Reason), zap.String("token_sha256", tokenHash(r)))
		}
		if refusal.Challenge != "" {
			w.Header().Set("WWW-Authenticate", refusal.Challenge)
		}
		return caddyhttp.Error(refusal.Status, refusal)
	}
	repl := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	repl.Set("oauth2.subject", res.Subject)
	repl.Set("oauth2.client_id", res.ClientID)
	repl.Set("oauth2.scope", strings.Join(res.Scopes, " "))
	repl.Set("oauth2.username", res.Username)
	repl.Set("http.auth.user.id", res.Subject)
	if h.StripAuthorization {
		r.Header.Del("Authorization")
	}
	return next.ServeHTTP(w, r)
}

// tokenHash names a token in logs without revealing it.
func tokenHash(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if v == "" {
		return ""
	}
	d := sha256.Sum256([]byte(v))
	return hex.EncodeToString(d[:6])
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*ServerHandler)(nil)
	_ caddyhttp.MiddlewareHandler = (*ServerHandler)(nil)
	_ caddy.Provisioner           = (*ProtectHandler)(nil)
	_ caddyhttp.MiddlewareHandler = (*ProtectHandler)(nil)
)
