package issuer

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/caddy-oauth2/caddy-oauth2/issuer/clientsecret"
)

// Client authentication methods (RFC 7591 token_endpoint_auth_method values).
const (
	AuthSecretBasic = "client_secret_basic"
	AuthSecretPost  = "client_secret_post"
)

// authMethods lists the methods that work today, in the order discovery shows them.
var authMethods = []string{AuthSecretBasic, AuthSecretPost}

// Client is a registered client as the issuer sees it.
type Client struct {
	ID         string
	Secret     clientsecret.Verifier
	GrantTypes []string
	Scopes     []string
	// AuthMethod is the one method this client may authenticate with.
	AuthMethod string
}

// unknownClientSecret is checked when the client does not exist, so an unknown
// client costs the same time as a wrong secret and ids cannot be enumerated by timing.
var unknownClientSecret = clientsecret.Plain("unknown client")

// authenticateClient finds who is calling from HTTP Basic or the form body, and
// allows exactly one method per request (RFC 6749 §2.3).
func (s *Server) authenticateClient(r *http.Request, form url.Values) (*Client, *Error) {
	headers := r.Header.Values("Authorization")
	if len(headers) > 1 {
		return nil, errInvalidRequest("more than one Authorization header")
	}
	var id, secret, method string
	if len(headers) == 1 {
		scheme, creds, _ := strings.Cut(headers[0], " ")
		if !strings.EqualFold(scheme, "Basic") {
			return nil, errInvalidClient("client authentication must use HTTP Basic or the form body")
		}
		var ok bool
		if id, secret, ok = parseBasic(strings.TrimSpace(creds)); !ok {
			return nil, errInvalidClient("malformed HTTP Basic credentials")
		}
		if form.Has("client_secret") {
			return nil, errInvalidRequest("use one client authentication method, not HTTP Basic and client_secret together")
		}
		if form.Has("client_id") && form.Get("client_id") != id {
			return nil, errInvalidClient("client_id does not match the HTTP Basic credentials")
		}
		method = AuthSecretBasic
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
		if id == "" {
			return nil, errInvalidClient("client authentication is required")
		}
		if !form.Has("client_secret") {
			return nil, errInvalidClient("client authentication is required: a client_secret or HTTP Basic")
		}
		method = AuthSecretPost
	}
	c := s.clients[id]
	if c == nil {
		unknownClientSecret.Verify(secret)
		return nil, errInvalidClient("client authentication failed")
	}
	if !c.Secret.Verify(secret) {
		return nil, errInvalidClient("client authentication failed")
	}
	if c.AuthMethod != method {
		return nil, errInvalidClient("this client is registered to authenticate with " + c.AuthMethod)
	}
	return c, nil
}

// parseBasic decodes HTTP Basic credentials, whose parts RFC 6749 §2.3.1 requires
// to be form-urlencoded before they are joined.
func parseBasic(creds string) (id, secret string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(creds)
	if err != nil {
		return "", "", false
	}
	encID, encSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.QueryUnescape(encID); err != nil || id == "" {
		return "", "", false
	}
	if secret, err = url.QueryUnescape(encSecret); err != nil {
		return "", "", false
	}
	return id, secret, true
}
