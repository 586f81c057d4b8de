package issuer

import (
	"encoding/json"
	"net/http"
	"slices"
)

// metadata is the RFC 8414 document, built from what this issuer actually serves:
// nothing is advertised before it works.
func (s *Server) metadata() ([]byte, error) {
	var scopes []string
	for _, c := range s.clients {
		for _, sc := range c.Scopes {
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	}
	slices.Sort(scopes)
	m := map[string]any{
		"issuer":                 s.url,
		"token_endpoint":         s.url + PathToken,
		"introspection_endpoint": s.url + PathIntrospect,
		"revocation_endpoint":    s.url + PathRevoke,
		"jwks_uri":               s.url + PathJWKS,
		"grant_types_supported":  s.grantTypes(),
		// No authorization endpoint yet, so no response type works (RFC 8414 §2 still
		// requires the member).
		"response_types_supported":                      []string{},
		"token_endpoint_auth_methods_supported":         authMethods,
		"introspection_endpoint_auth_methods_supported": authMethods,
		"revocation_endpoint_auth_methods_supported":    authMethods,
	}
	if len(scopes) > 0 {
		m["scopes_supported"] = scopes
	}
	return json.Marshal(m)
}

func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	serveStatic(w, r, s.discovery, "application/json")
}
