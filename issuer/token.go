package issuer

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/caddy-oauth2/caddy-oauth2/opaque"
	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// tokenResponse is RFC 6749 §5.1. expires_in is a lifetime in seconds.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

var errStorageUnavailable = &Error{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "storage is unavailable; try again shortly"}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	form, e := readForm(w, r)
	if e == nil {
		var c *Client
		if c, e = s.authenticateClient(r, form); e == nil {
			var resp *tokenResponse
			if resp, e = s.grant(r.Context(), c, form); e == nil {
				writeJSON(w, http.StatusOK, resp)
				return
			}
		}
	}
	s.writeError(w, e)
}

func (s *Server) grant(ctx context.Context, c *Client, form map[string][]string) (*tokenResponse, *Error) {
	gt := first(form, "grant_type")
	if gt == "" {
		return nil, errInvalidRequest("grant_type is required")
	}
	handler := s.grants[gt]
	if handler == nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: "this server supports grant_type " + strings.Join(s.grantTypes(), ", ")}
	}
	if !slices.Contains(c.GrantTypes, gt) {
		return nil, &Error{Status: http.StatusBadRequest, Code: "unauthorized_client", Description: "this client may not use grant_type " + gt}
	}
	return handler(ctx, c, form)
}

func first(form map[string][]string, k string) string {
	if vs := form[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// clientCredentials is RFC 6749 §4.4: the client acts for itself, so it is the subject.
func (s *Server) clientCredentials(ctx context.Context, c *Client, form map[string][]string) (*tokenResponse, *Error) {
	scopes, e := narrowScopes(first(form, "scope"), c.Scopes)
	if e != nil {
		return nil, e
	}
	return s.issueAccessToken(ctx, storage.Token{
		Kind: storage.AccessToken, GrantID: randomID(), ClientID: c.ID, Subject: c.ID, Scopes: scopes,
	})
}

// issueAccessToken mints an opaque token for rec, stores it durably, and only then
// returns it.
func (s *Server) issueAccessToken(ctx context.Context, rec storage.Token) (*tokenResponse, *Error) {
	token, id, err := s.codec.New(opaque.AccessTokenPrefix)
	if err != nil {
		s.logger.Error("generating a token", zap.Error(err))
		return nil, errServer
	}
	now := time.Now()
	rec.ID, rec.IssuedAt, rec.ExpiresAt = id, now, now.Add(s.accessTokenTTL)
	if err := s.store.CreateToken(ctx, rec); err != nil {
		s.logger.Error("storing a token", zap.String("client_id", rec.ClientID), zap.Error(err))
		return nil, errStorageUnavailable
	}
	return &tokenResponse{
		AccessToken: token, TokenType: "Bearer",
		ExpiresIn: int64(s.accessTokenTTL / time.Second), Scope: strings.Join(rec.Scopes, " "),
	}, nil
}
