// Package gateway is the resource-server side of RFC 6750: it finds the bearer token
// in a request, has it validated, checks the route's requirements, and says how to
// refuse when it must. It knows net/http, not Caddy.
package gateway

import (
	"context"
	"net/http"
	"strings"

	"github.com/caddy-oauth2/caddy-oauth2/introspection"
)

// Guard protects one route.
type Guard struct {
	Validator introspection.Validator
	// Scopes are all required.
	Scopes []string
	// Realm names the protected resource in WWW-Authenticate.
	Realm string
}

// Refusal is why a request may not pass, ready to be sent: the status and the
// WWW-Authenticate challenge of RFC 6750 §3.
type Refusal struct {
	Status    int
	Challenge string
	// Reason is for logs; it never contains the token.
	Reason string
}

func (r *Refusal) Error() string { return r.Reason }

// Check returns what is known of the caller, or why the request is refused.
func (g *Guard) Check(ctx context.Context, r *http.Request) (introspection.Result, *Refusal) {
	token, ref := g.bearerToken(r)
	if ref != nil {
		return introspection.Result{}, ref
	}
	res, err := g.Validator.Validate(ctx, token)
	if err != nil {
		// We could not tell: fail closed, and say it is on our side.
		return res, &Refusal{Status: http.StatusServiceUnavailable, Reason: "token validation unavailable: " + err.Error()}
	}
	// A refresh token is not a bearer credential for an API (RFC 6749 §1.5).
	if !res.Active || res.TokenType == "refresh_token" {
		return res, g.refuse(http.StatusUnauthorized, "invalid_token", "the access token is invalid, expired or revoked")
	}
	if !res.HasScopes(g.Scopes) {
		ref := g.refuse(http.StatusForbidden, "insufficient_scope", "the access token lacks a required scope")
		ref.Challenge += `, scope="` + strings.Join(g.Scopes, " ") + `"`
		return res, ref
	}
	return res, nil
}

// bearerToken reads the token from the Authorization header (RFC 6750 §2.1), the
// only place the gateway looks: query and form tokens leak into logs and caches.
func (g *Guard) bearerToken(r *http.Request) (string, *Refusal) {
	headers := r.Header.Values("Authorization")
	if len(headers) == 0 {
		// No authentication at all: RFC 6750 §3.1 says to send no error code.
		return "", &Refusal{Status: http.StatusUnauthorized, Challenge: `Bearer realm="` + g.realm() + `"`, Reason: "no access token"}
	}
	if len(headers) > 1 {
		return "", g.refuse(http.StatusBadRequest, "invalid_request", "more than one Authorization header")
	}
	scheme, token, _ := strings.Cut(headers[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", &Refusal{Status: http.StatusUnauthorized, Challenge: `Bearer realm="` + g.realm() + `"`, Reason: "the Authorization header is not a bearer token"}
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", g.refuse(http.StatusBadRequest, "invalid_request", "the Authorization header is malformed")
	}
	return token, nil
}

func (g *Guard) realm() string {
	if g.Realm == "" {
		return "oauth2"
	}
	return g.Realm
}

func (g *Guard) refuse(status int, code, desc string) *Refusal {
	return &Refusal{
		Status:    status,
		Challenge: `Bearer realm="` + g.realm() + `", error="` + code + `", error_description="` + desc + `"`,
		Reason:    desc,
	}
}
