package issuer

import (
	"encoding/json"
	"net/http"
)

// Error is an RFC 6749 §5.2 error response.
type Error struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func errInvalidRequest(desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

func errInvalidClient(desc string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_client", Description: desc}
}

var errServer = &Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "the server could not complete the request; try again"}

// writeJSON sends v with the headers RFC 6749 §5.1 requires of token responses:
// responses that carry tokens or token facts must not be cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	writeJSONBody(w, status, body)
}

// writeJSONBody sends an encoded JSON body with the same headers as writeJSON.
func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	// Canonical keys assigned directly: Header.Set would canonicalise them on every response.
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Cache-Control"] = []string{"no-store"}
	h["Pragma"] = []string{"no-cache"}
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) writeError(w http.ResponseWriter, e *Error) {
	// RFC 6749 §5.2 requires the challenge when the client tried Basic, and RFC 9110
	// §11.6.1 on every 401; Basic is the method every client here can use.
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.realm+`", charset="UTF-8"`)
	}
	if e.Status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	writeJSON(w, e.Status, e)
}
