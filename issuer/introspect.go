package issuer

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/caddy-oauth2/caddy-oauth2/storage"
)

// readTokenRequest reads what introspection and revocation share: a form, an
// authenticated client and a non-empty token. It answers the error itself.
func (s *Server) readTokenRequest(w http.ResponseWriter, r *http.Request) (*Client, string, bool) {
	form, e := readForm(w, r)
	var c *Client
	if e == nil {
		c, e = s.authenticateClient(r, form)
	}
	if e == nil && first(form, "token") == "" {
		e = errInvalidRequest("token is required")
	}
	if e != nil {
		s.writeError(w, e)
		return nil, "", false
	}
	return c, first(form, "token"), true
}

// handleIntrospect is RFC 7662. Any authenticated client may ask; an unknown,
// expired, revoked or foreign token is exactly {"active":false}.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	_, token, ok := s.readTokenRequest(w, r)
	if !ok {
		return
	}
	// token_type_hint is only a hint (RFC 7662 §2.1): the token's prefix says what it is.
	res, err := s.validator.Validate(r.Context(), token)
	if err != nil {
		s.logger.Error("introspecting a token", zap.Error(err))
		s.writeError(w, errStorageUnavailable)
		return
	}
	// Encoded directly: json.Marshal would re-validate what MarshalJSON wrote.
	body, _ := res.MarshalJSON()
	writeJSONBody(w, http.StatusOK, body)
}

// handleRevoke is RFC 7009. An unknown or malformed token answers 200 like a revoked
// one (§2.2); a token that belongs to another client is refused and stays valid.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	c, token, ok := s.readTokenRequest(w, r)
	if !ok {
		return
	}
	id, err := s.codec.Check(token)
	if err != nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	rec, err := s.store.GetToken(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !time.Now().Before(rec.ExpiresAt)) {
		// Unknown and expired alike: nothing to revoke, and nothing to tell about it.
		w.WriteHeader(http.StatusOK)
		return
	}
	if err == nil && rec.ClientID != c.ID {
		s.writeError(w, &Error{Status: http.StatusBadRequest, Code: "unauthorized_client", Description: "the token was not issued to this client"})
		return
	}
	if err == nil {
		if rec.Kind == storage.RefreshToken {
			// A refresh token stands for its grant: revoke everything issued under it (RFC 7009 §2.1).
			_, err = s.store.DeleteGrant(r.Context(), rec.GrantID)
		} else {
			err = s.store.DeleteToken(r.Context(), id)
		}
	}
	if err != nil {
		s.logger.Error("revoking a token", zap.String("client_id", c.ID), zap.Error(err))
		s.writeError(w, errStorageUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
