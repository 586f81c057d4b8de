package introspection

import (
	"encoding/json"
	"testing"
	"time"
)

func TestResultJSON(t *testing.T) {
	inactive, _ := json.Marshal(Result{Scopes: []string{"leak"}, ClientID: "leak"})
	if string(inactive) != `{"active":false}` {
		t.Fatalf("inactive result says more than it may: %s", inactive)
	}
	at := time.Unix(1700000000, 0)
	active, _ := json.Marshal(Result{
		Active: true, Scopes: []string{"read", "write"}, ClientID: "c", Subject: "c",
		TokenType: "Bearer", Issuer: "https://issuer", IssuedAt: at, ExpiresAt: at.Add(time.Hour),
	})
	want := `{"active":true,"scope":"read write","client_id":"c","token_type":"Bearer","exp":1700003600,"iat":1700000000,"sub":"c","iss":"https://issuer"}`
	if string(active) != want {
		t.Fatalf("got  %s\nwant %s", active, want)
	}
}

func TestHasScopes(t *testing.T) {
	r := Result{Active: true, Scopes: []string{"a", "b"}}
	for _, c := range []struct {
		req  []string
		want bool
	}{{nil, true}, {[]string{"a"}, true}, {[]string{"b", "a"}, true}, {[]string{"a", "c"}, false}, {[]string{"A"}, false}} {
		if got := r.HasScopes(c.req); got != c.want {
			t.Errorf("HasScopes(%v) = %v", c.req, got)
		}
	}
}
