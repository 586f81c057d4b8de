package issuer_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/issuer"
	"github.com/caddy-oauth2/caddy-oauth2/issuer/clientsecret"
)

// checkToken checks an RFC 6749 §5.1 client_credentials response.
func checkToken(t *testing.T, tr tokenResponse, ttl time.Duration, scope string) {
	t.Helper()
	if tr.TokenType != "Bearer" || tr.ExpiresIn != int64(ttl/time.Second) || tr.Scope != scope {
		t.Errorf("got token_type %q, expires_in %d, scope %q; want Bearer, %d, %q", tr.TokenType, tr.ExpiresIn, tr.Scope, int64(ttl/time.Second), scope)
	}
	rest, ok := strings.CutPrefix(tr.AccessToken, "cao_at_")
	key, _, _ := strings.Cut(rest, ".")
	if raw, err := base64.RawURLEncoding.DecodeString(key); !ok || err != nil || len(raw) < 32 {
		t.Errorf("access token %q is not cao_at_ followed by at least 256 random bits", tr.AccessToken)
	}
}

// TestClientCredentials issues tokens to each way of authenticating and checks the
// response, the scope narrowing and the no-store headers.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	cc := url.Values{"grant_type": {"client_credentials"}}
	with := func(kv ...string) url.Values {
		f := maps.Clone(cc)
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	for _, c := range []struct {
		name, id, secret string
		form             url.Values
		scope            string
	}{
		{"basic, no scope yields all allowed", basicID, basicSecret, cc, "read write"},
		{"basic, lower-case scheme", "", "", nil, "read write"},
		{"basic with a matching client_id in the body", basicID, basicSecret, with("client_id", basicID), "read write"},
		{"post", "", "", with("client_id", postID, "client_secret", postSecret), "read"},
		{"basic, secret that needs form-urlencoding", oddID, oddSecret, cc, "write"},
		{"read admin yields read", basicID, basicSecret, with("scope", "read admin"), "read"},
		{"duplicated scopes granted once", basicID, basicSecret, with("scope", "read read write read"), "read write"},
		{"requested order and doubled spaces", basicID, basicSecret, with("scope", "write  read"), "write read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ee := *e
			ee.t = t
			var r response
			if c.form == nil { // the scheme name is case-insensitive (RFC 9110 §11.1)
				r = ee.do(http.MethodPost, pathToken, formType+"; charset=UTF-8", cc.Encode(), "basic "+strings.TrimPrefix(basic(basicID, basicSecret), "Basic "))
			} else {
				r = ee.postForm(pathToken, c.form, c.id, c.secret)
			}
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			for k, want := range map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"} {
				if got := r.header.Get(k); got != want {
					t.Errorf("%s %q, want %q", k, got, want)
				}
			}
			var tr tokenResponse
			mustJSON(t, r.body, &tr)
			checkToken(t, tr, issuer.DefaultAccessTokenTTL, c.scope)
			if got := ee.introspect(tr.AccessToken); !strings.Contains(got, `"scope":"`+c.scope+`"`) {
				t.Errorf("introspection %s does not carry scope %q", got, c.scope)
			}
		})
	}

	t.Run("configured lifetime", func(t *testing.T) {
		e := newEnv(t, nil, func(c *issuer.Config) { c.AccessTokenTTL = 90 * time.Second })
		tr := e.token("read")
		checkToken(t, tr, 90*time.Second, "read")
		var in struct{ Exp, Iat int64 }
		mustJSON(t, []byte(e.introspect(tr.AccessToken)), &in)
		if in.Exp-in.Iat != 90 {
			t.Errorf("exp - iat = %d, want 90", in.Exp-in.Iat)
		}
	})

	t.Run("every token is new", func(t *testing.T) {
		a, b := e.token(""), e.token("")
		if a.AccessToken == b.AccessToken {
			t.Error("two requests got the same token")
		}
	})
}

// TestIntrospection checks the RFC 7662 answer for an active token, for any
// authenticated client and hint, and that every inactive token is exactly
// {"active":false}.
func TestIntrospection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	before := time.Now().Unix()
	tok := e.token("").AccessToken
	active := e.introspect(tok)

	var got map[string]any
	mustJSON(t, []byte(active), &got)
	keys := slices.Sorted(maps.Keys(got))
	if want := []string{"active", "client_id", "exp", "iat", "iss", "scope", "sub", "token_type"}; !slices.Equal(keys, want) {
		t.Errorf("fields %v, want exactly %v", keys, want)
	}
	for k, want := range map[string]any{"active": true, "scope": "read write", "client_id": basicID, "sub": basicID, "token_type": "Bearer", "iss": issuerURL} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	iat, _ := got["iat"].(float64)
	exp, _ := got["exp"].(float64)
	if int64(iat) < before-1 || int64(iat) > time.Now().Unix()+1 || exp-iat != 3600 {
		t.Errorf("iat %v, exp %v: want iat now and exp an hour later", iat, exp)
	}

	t.Run("other clients may introspect", func(t *testing.T) {
		ee := *e
		ee.t = t
		for _, r := range []response{
			ee.postForm(pathIntrospect, url.Values{"token": {tok}, "client_id": {postID}, "client_secret": {postSecret}}, "", ""),
			ee.postForm(pathIntrospect, url.Values{"token": {tok}}, oddID, oddSecret),
		} {
			if r.status != http.StatusOK || string(r.body) != active {
				t.Errorf("got %d %s, want %s", r.status, r.body, active)
			}
		}
	})

	t.Run("token_type_hint changes nothing", func(t *testing.T) {
		ee := *e
		ee.t = t
		for _, hint := range []string{"access_token", "refresh_token", "id_token", "", "bogus", strings.Repeat("x", 500)} {
			for token, want := range map[string]string{tok: active, "garbage": inactive} {
				r := ee.postForm(pathIntrospect, url.Values{"token": {token}, "token_type_hint": {hint}}, basicID, basicSecret)
				if r.status != http.StatusOK || string(r.body) != want {
					t.Errorf("hint %q: got %d %s, want %s", hint, r.status, r.body, want)
				}
			}
		}
	})

	t.Run("inactive is exactly active false", func(t *testing.T) {
		ee := *e
		ee.t = t
		other := newEnv(t, nil, nil).token("").AccessToken
		flip := func(s string, i int) string {
			b := []byte(s)
			b[i] ^= 1
			return string(b)
		}
		revoked := ee.token("").AccessToken
		if r := ee.postForm(pathRevoke, url.Values{"token": {revoked}}, basicID, basicSecret); r.status != http.StatusOK {
			t.Fatalf("revoking: %d %s", r.status, r.body)
		}
		for name, token := range map[string]string{
			"garbage":             "garbage",
			"prefix only":         "cao_at_",
			"another issuer's":    other,
			"tampered signature":  flip(tok, len(tok)-1),
			"tampered key":        flip(tok, 10),
			"refresh prefix":      "cao_rt_" + strings.TrimPrefix(tok, "cao_at_"),
			"truncated":           tok[:len(tok)-1],
			"trailing space":      tok + " ",
			"without its prefix":  strings.TrimPrefix(tok, "cao_at_"),
			"revoked":             revoked,
			"signature as token":  tok[strings.IndexByte(tok, '.')+1:],
			"JWT-looking garbage": "eyJhbGciOiJub25lIn0.e30.",
		} {
			if got := ee.introspect(token); got != inactive {
				t.Errorf("%s token: %s, want %s", name, got, inactive)
			}
		}
		if got := ee.introspect(tok); got != active {
			t.Errorf("the live token changed: %s", got)
		}
	})
}

// TestIntrospectionExpired waits out a one-second token: it becomes exactly
// {"active":false}, and the sweep removes it.
func TestIntrospectionExpired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, func(c *issuer.Config) { c.AccessTokenTTL = time.Second })
	tr := e.token("read")
	checkToken(t, tr, time.Second, "read")
	if got := e.introspect(tr.AccessToken); got == inactive {
		t.Fatal("a fresh token is inactive")
	}
	time.Sleep(1100 * time.Millisecond)
	if got := e.introspect(tr.AccessToken); got != inactive {
		t.Errorf("expired token: %s, want %s", got, inactive)
	}
	// Another client revoking the expired token learns nothing: 200, as for an unknown one.
	if r := e.postForm(pathRevoke, url.Values{"token": {tr.AccessToken}, "client_id": {postID}, "client_secret": {postSecret}}, "", ""); r.status != http.StatusOK {
		t.Errorf("foreign revocation of an expired token: %d %s, want 200", r.status, r.body)
	}
	if n, err := e.srv.SweepExpired(context.Background()); n != 1 || err != nil {
		t.Errorf("SweepExpired = %d, %v; want 1, nil", n, err)
	}
}

// TestRevocation checks RFC 7009: the owner revokes (idempotently), unknown tokens
// answer 200, and another client can neither revoke nor disturb the token.
func TestRevocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	revoke := func(token, id, secret string) response {
		if id == postID {
			return e.postForm(pathRevoke, url.Values{"token": {token}, "client_id": {id}, "client_secret": {secret}}, "", "")
		}
		return e.postForm(pathRevoke, url.Values{"token": {token}}, id, secret)
	}
	tok := e.token("").AccessToken

	r := revoke(tok, postID, postSecret)
	if r.status != http.StatusBadRequest || decodeError(t, r) != "unauthorized_client" {
		t.Errorf("another client revoking: %d %s, want 400 unauthorized_client", r.status, r.body)
	}
	if r := revoke(tok, oddID, oddSecret); r.status != http.StatusBadRequest {
		t.Errorf("a third client revoking: %d %s, want 400", r.status, r.body)
	}
	if e.introspect(tok) == inactive || e.store.deletes.Load()+e.store.grantDeletes.Load() != 0 {
		t.Fatal("a foreign revocation attempt removed the token")
	}

	for i, step := range []string{"owner revokes", "owner revokes again"} {
		if r := revoke(tok, basicID, basicSecret); r.status != http.StatusOK || len(r.body) != 0 {
			t.Errorf("%s: %d %q, want 200 and no body", step, r.status, r.body)
		}
		if got := e.introspect(tok); got != inactive {
			t.Errorf("%s: introspection %s, want %s", step, got, inactive)
		}
		if n := e.store.deletes.Load(); n != 1 {
			t.Errorf("%s (%d): %d token deletes, want exactly 1", step, i, n)
		}
	}

	if r := revoke("cao_at_unknown", basicID, basicSecret); r.status != http.StatusOK {
		t.Errorf("unknown token: %d %s, want 200", r.status, r.body)
	}

	t.Run("post client revokes its own, any hint", func(t *testing.T) {
		ee := *e
		ee.t = t
		r := ee.postForm(pathToken, url.Values{"grant_type": {"client_credentials"}, "client_id": {postID}, "client_secret": {postSecret}}, "", "")
		var tr tokenResponse
		mustJSON(t, r.body, &tr)
		r = ee.postForm(pathRevoke, url.Values{"token": {tr.AccessToken}, "token_type_hint": {"refresh_token"}, "client_id": {postID}, "client_secret": {postSecret}}, "", "")
		if r.status != http.StatusOK || ee.introspect(tr.AccessToken) != inactive {
			t.Errorf("revocation by the post client: %d %s", r.status, r.body)
		}
	})
}

func getJSON(t *testing.T, e *env, path string, v any) response {
	t.Helper()
	r := e.do(http.MethodGet, path, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	mustJSON(t, r.body, v)
	return r
}

// TestDiscovery checks the RFC 8414 and OpenID Connect metadata, the JWKS, and that
// both refuse anything but GET and HEAD.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	var meta map[string]any
	r1 := getJSON(t, e, "/.well-known/oauth-authorization-server", &meta)
	r2 := e.do(http.MethodGet, "/.well-known/openid-configuration", "", "")
	if string(r1.body) != string(r2.body) || r2.status != http.StatusOK {
		t.Errorf("the two discovery documents differ:\n%s\n%s", r1.body, r2.body)
	}
	if ct := r1.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	for k, want := range map[string]any{
		"issuer":                                issuerURL,
		"token_endpoint":                        issuerURL + "/oauth2/token",
		"introspection_endpoint":                issuerURL + "/oauth2/introspect",
		"revocation_endpoint":                   issuerURL + "/oauth2/revoke",
		"jwks_uri":                              issuerURL + "/oauth2/jwks.json",
		"grant_types_supported":                 []any{"client_credentials"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []any{"read", "write"},
	} {
		if !reflect.DeepEqual(meta[k], want) {
			t.Errorf("%s = %#v, want %#v", k, meta[k], want)
		}
	}

	var jwks struct{ Keys []map[string]any }
	r := getJSON(t, e, issuer.PathJWKS, &jwks)
	if ct := r.header.Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Errorf("JWKS Content-Type %q", ct)
	}
	if len(jwks.Keys) != 1 {
		t.Fatalf("JWKS has %d keys, want 1: %s", len(jwks.Keys), r.body)
	}
	k := jwks.Keys[0]
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] == "" || k["kid"] == nil || k["n"] == nil || k["e"] == nil {
		t.Errorf("JWKS key %v is not a public RS256 signing key with a kid", k)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Errorf("JWKS publishes the private member %q", private)
		}
	}

	for _, p := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", issuer.PathJWKS} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			r := e.do(m, p, formType, "x=1")
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q; want 405 and GET, HEAD", m, p, r.status, r.header.Get("Allow"))
			} else if decodeError(t, r) != "invalid_request" {
				t.Errorf("%s %s: %s", m, p, r.body)
			}
		}
		if r := e.do(http.MethodHead, p, "", ""); r.status != http.StatusOK || len(r.body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes", p, r.status, len(r.body))
		}
	}
	for _, p := range []string{"/", "/oauth2/token/", "/oauth2", "/.well-known/oauth-authorization-server/x"} {
		if r := e.do(http.MethodGet, p, "", ""); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.status)
		}
		if e.srv.Handler(p) != nil {
			t.Errorf("Handler(%q) is not nil", p)
		}
	}
	if e.srv.Handler(pathToken) == nil || e.srv.URL() != issuerURL {
		t.Errorf("Handler(%q) is nil or URL() = %q", pathToken, e.srv.URL())
	}
}

// TestDiscoveryIssuerWithPath serves an issuer whose identifier has a path: the
// endpoints live below it, RFC 8414 inserts the well-known segment before it and
// OpenID Connect appends it.
func TestDiscoveryIssuerWithPath(t *testing.T) {
	t.Parallel()
	for _, u := range []string{issuerURL + "/tenant", issuerURL + "/tenant/", issuerURL + "/tenant//"} {
		e := newEnv(t, nil, func(c *issuer.Config) { c.URL = u })
		var a, b map[string]any
		getJSON(t, e, "/.well-known/oauth-authorization-server/tenant", &a)
		getJSON(t, e, "/tenant/.well-known/openid-configuration", &b)
		if !reflect.DeepEqual(a, b) || a["issuer"] != issuerURL+"/tenant" || a["token_endpoint"] != issuerURL+"/tenant/oauth2/token" || a["jwks_uri"] != issuerURL+"/tenant/oauth2/jwks.json" {
			t.Errorf("%s: metadata %v / %v", u, a, b)
		}
		r := e.postForm("/tenant"+pathToken, url.Values{"grant_type": {"client_credentials"}}, basicID, basicSecret)
		var tr tokenResponse
		mustJSON(t, r.body, &tr)
		r = e.postForm("/tenant"+pathIntrospect, url.Values{"token": {tr.AccessToken}}, basicID, basicSecret)
		if !strings.Contains(string(r.body), `"iss":"`+issuerURL+`/tenant"`) {
			t.Errorf("%s: introspection %s does not name the issuer", u, r.body)
		}
		for _, p := range []string{pathToken, "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/tenant/.well-known/oauth-authorization-server"} {
			if r := e.do(http.MethodGet, p, "", ""); r.status != http.StatusNotFound {
				t.Errorf("%s: GET %s: %d, want 404", u, p, r.status)
			}
		}
		var jwks struct{ Keys []any }
		getJSON(t, e, "/tenant"+issuer.PathJWKS, &jwks)
	}
}

// TestKeysPersist starts a second issuer on the same store: it publishes the same
// signing key and accepts the first one's tokens, while an issuer on another store
// does neither.
func TestKeysPersist(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	first := newEnv(t, st, nil)
	tok := first.token("read").AccessToken
	second, elsewhere := newEnv(t, st, nil), newEnv(t, nil, nil)

	kid := func(e *env) string {
		var jwks struct{ Keys []struct{ Kid string } }
		getJSON(t, e, issuer.PathJWKS, &jwks)
		if len(jwks.Keys) != 1 {
			t.Fatalf("%d keys", len(jwks.Keys))
		}
		return jwks.Keys[0].Kid
	}
	if a, b := kid(first), kid(second); a != b {
		t.Errorf("the second issuer publishes kid %q, the first %q", b, a)
	}
	if kid(elsewhere) == kid(first) {
		t.Error("an issuer on another store has the same kid")
	}
	if got := second.introspect(tok); got == inactive {
		t.Error("the second issuer does not accept the first one's token")
	}
	if res, err := second.srv.Validator().Validate(context.Background(), tok); err != nil || !res.Active {
		t.Errorf("Validator: %+v, %v", res, err)
	}
	if got := elsewhere.introspect(tok); got != inactive {
		t.Errorf("an issuer on another store accepts the token: %s", got)
	}
}

// TestNewConfigErrors checks that New refuses each bad configuration with a message
// that names the problem.
func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	client := func(edit func(*issuer.Client)) []*issuer.Client {
		c := &issuer.Client{ID: "c1", Secret: clientsecret.Plain("s")}
		edit(c)
		return []*issuer.Client{c}
	}
	for _, c := range []struct {
		name string
		cfg  issuer.Config
		want string
	}{
		{"empty URL", issuer.Config{}, "issuer url is required"},
		{"relative URL", issuer.Config{URL: "/issuer"}, "must be an absolute http or https URL"},
		{"no scheme", issuer.Config{URL: "issuer.test"}, "must be an absolute http or https URL"},
		{"no host", issuer.Config{URL: "https:///path"}, "must be an absolute http or https URL"},
		{"ftp scheme", issuer.Config{URL: "ftp://issuer.test"}, "must be an absolute http or https URL"},
		{"query", issuer.Config{URL: "https://issuer.test?tenant=a"}, "must not have a query, fragment"},
		{"fragment", issuer.Config{URL: "https://issuer.test#a"}, "must not have a query, fragment"},
		{"empty query", issuer.Config{URL: "https://issuer.test/?"}, "must not have a query, fragment"},
		{"nil client", issuer.Config{URL: issuerURL, Store: st, Clients: []*issuer.Client{nil}}, "client 0 is nil"},
		{"user info", issuer.Config{URL: "https://u:p@issuer.test"}, "user info"},
		{"no store", issuer.Config{URL: issuerURL}, "no storage"},
		{"TTL below a second", issuer.Config{URL: issuerURL, Store: st, AccessTokenTTL: 999 * time.Millisecond}, "too short"},
		{"negative TTL", issuer.Config{URL: issuerURL, Store: st, AccessTokenTTL: -time.Hour}, "too short"},
		{"duplicate client id", issuer.Config{URL: issuerURL, Store: st, Clients: append(client(func(*issuer.Client) {}), client(func(*issuer.Client) {})...)}, `client "c1" is declared twice`},
		{"empty client id", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.ID = "" })}, "client_id is empty"},
		{"nil secret", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.Secret = nil })}, `client "c1": a secret or secret_hash is required`},
		{"unknown auth method", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.AuthMethod = "private_key_jwt" })}, `client "c1": auth_method "private_key_jwt" is not supported`},
		{"unsupported grant type", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.GrantTypes = []string{"client_credentials", "password"} })}, `client "c1": grant type "password" is not supported`},
		{"scope with a space", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.Scopes = []string{"read write"} })}, `client "c1": scope "read write" has characters`},
		{"scope with a quote", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.Scopes = []string{`"read`} })}, `scope "\"read" has characters`},
		{"empty scope", issuer.Config{URL: issuerURL, Store: st, Clients: client(func(c *issuer.Client) { c.Scopes = []string{""} })}, `scope "" has characters`},
	} {
		srv, err := issuer.New(context.Background(), c.cfg)
		if err == nil || srv != nil {
			t.Errorf("%s: New returned %v, %v; want an error", c.name, srv, err)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.want)
		}
	}
}

// TestConcurrentTokens requests 50 tokens at once, so the store commits them in
// shared transactions: every request succeeds with its own token, and each is active.
func TestConcurrentTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	const n = 50
	tokens := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+pathToken, strings.NewReader("grant_type=client_credentials"))
			req.Header.Set("Content-Type", formType)
			req.Header.Set("Authorization", basic(basicID, basicSecret))
			res, err := e.http.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var tr tokenResponse
			if err := json.NewDecoder(res.Body).Decode(&tr); err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("request %d: %d, %v", i, res.StatusCode, err)
			}
			tokens[i] = tr.AccessToken
		})
	}
	close(start)
	wg.Wait()
	if got := len(slices.Compact(slices.Sorted(slices.Values(tokens)))); got != n || slices.Contains(tokens, "") {
		t.Fatalf("%d distinct tokens of %d", got, n)
	}
	if c := e.store.creates.Load(); c != n {
		t.Errorf("%d tokens stored, want %d", c, n)
	}
	for _, tok := range tokens {
		if e.introspect(tok) == inactive {
			t.Errorf("token %s is not active", tok)
		}
	}
}
