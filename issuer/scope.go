package issuer

import (
	"slices"
	"strings"
)

// validScopeToken reports whether s is a scope-token of RFC 6749 §3.3:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// narrowScopes grants the requested scopes that the client may have (RFC 6749 §3.3
// lets the server issue fewer than requested, and the response says which). No
// request means every allowed scope; a request of nothing allowed is invalid_scope.
func narrowScopes(requested string, allowed []string) ([]string, *Error) {
	if requested == "" {
		return slices.Clone(allowed), nil
	}
	var granted []string
	for _, s := range strings.Split(requested, " ") {
		if s == "" {
			continue // tolerate doubled spaces
		}
		if !validScopeToken(s) {
			return nil, &Error{Status: 400, Code: "invalid_scope", Description: "scope contains characters that RFC 6749 does not allow"}
		}
		if slices.Contains(allowed, s) && !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	if len(granted) == 0 {
		return nil, &Error{Status: 400, Code: "invalid_scope", Description: "none of the requested scopes is allowed for this client"}
	}
	return granted, nil
}
