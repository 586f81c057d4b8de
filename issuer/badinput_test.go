package issuer_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noAuth, as a row's auth, sends no Authorization header; a nil auth sends the
// Basic client's credentials.
var noAuth = []string{}

type badInput struct {
	name, path string
	method     string // POST when empty
	ctype      string // the form type when empty; "-" sends none
	body       string
	auth       []string
	status     int
	code       string // the RFC 6749 §5.2 error; empty for a 200 row
	challenge  bool   // a WWW-Authenticate: Basic challenge is required; every 401 has one (RFC 9110 §11.6.1), other statuses none
	exact      string // the whole body of a 200 row
}

func b64(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }

// badInputs lists requests that must be refused (or answered as inactive) without
// changing anything; valid is a well-formed token of another issuer.
func badInputs(valid string) []badInput {
	basicAuth := []string{basic(basicID, basicSecret)}
	okBody := map[string]string{
		pathToken:      "grant_type=client_credentials",
		pathIntrospect: "token=" + url.QueryEscape(valid),
		pathRevoke:     "token=" + url.QueryEscape(valid),
	}
	big := strings.Repeat("A", 100_000)
	var rows []badInput
	for _, p := range []string{pathToken, pathIntrospect, pathRevoke} {
		b := okBody[p]
		rows = append(rows, []badInput{
			{name: "GET", method: http.MethodGet, body: "", status: 405, code: "invalid_request"},
			{name: "PUT", method: http.MethodPut, body: b, status: 405, code: "invalid_request"},
			{name: "JSON content type", ctype: "application/json", body: `{"grant_type":"client_credentials","token":"x"}`, status: 400, code: "invalid_request"},
			{name: "text/plain content type", ctype: "text/plain", body: b, status: 400, code: "invalid_request"},
			{name: "no content type", ctype: "-", body: b, status: 400, code: "invalid_request"},
			{name: "malformed content type", ctype: formType + "; charset", body: b, status: 400, code: "invalid_request"},
			{name: "malformed form %zz", body: b + "&x=%zz", status: 400, code: "invalid_request"},
			{name: "semicolon separator", body: b + ";x=1", status: 400, code: "invalid_request"},
			{name: "body over 64 KiB", body: b + "&pad=" + strings.Repeat("a", 65<<10), status: 413, code: "invalid_request"},
			{name: "non-UTF-8 value", body: b + "&x=%ff%fe", status: 400, code: "invalid_request"},
			{name: "non-UTF-8 name", body: b + "&%ff%fe=1", status: 400, code: "invalid_request"},
			{name: "Basic not base64", body: b, auth: []string{"Basic !!not-base64!!"}, status: 401, code: "invalid_client", challenge: true},
			{name: "Basic without colon", body: b, auth: []string{b64(basicID + basicSecret)}, status: 401, code: "invalid_client", challenge: true},
			{name: "Basic with empty id", body: b, auth: []string{b64(":" + basicSecret)}, status: 401, code: "invalid_client", challenge: true},
			{name: "Basic without credentials", body: b, auth: []string{"Basic"}, status: 401, code: "invalid_client", challenge: true},
			{name: "Basic secret not form-urlencoded", body: b, auth: []string{b64(oddID + ":" + oddSecret)}, status: 401, code: "invalid_client", challenge: true},
			{name: "Basic plus client_secret in body", body: b + "&client_secret=" + basicSecret, status: 400, code: "invalid_request"},
			{name: "Basic plus other client_id in body", body: b + "&client_id=" + postID, status: 401, code: "invalid_client", challenge: true},
			{name: "two Authorization headers", body: b, auth: []string{basicAuth[0], basicAuth[0]}, status: 400, code: "invalid_request"},
			{name: "Bearer scheme", body: b, auth: []string{"Bearer " + valid}, status: 401, code: "invalid_client"},
			{name: "unknown client Basic", body: b, auth: []string{basic("nobody", basicSecret)}, status: 401, code: "invalid_client", challenge: true},
			{name: "unknown client post", body: b + "&client_id=nobody&client_secret=x", auth: noAuth, status: 401, code: "invalid_client"},
			{name: "wrong secret Basic", body: b, auth: []string{basic(basicID, "wrong")}, status: 401, code: "invalid_client", challenge: true},
			{name: "wrong secret post", body: b + "&client_id=" + postID + "&client_secret=wrong", auth: noAuth, status: 401, code: "invalid_client"},
			{name: "empty secret post", body: b + "&client_id=" + postID + "&client_secret=", auth: noAuth, status: 401, code: "invalid_client"},
			{name: "Basic client authenticating with post", body: b + "&client_id=" + basicID + "&client_secret=" + basicSecret, auth: noAuth, status: 401, code: "invalid_client"},
			{name: "post client authenticating with Basic", body: b, auth: []string{basic(postID, postSecret)}, status: 401, code: "invalid_client", challenge: true},
			{name: "no client authentication", body: b, auth: noAuth, status: 401, code: "invalid_client"},
			{name: "client_id without secret", body: b + "&client_id=" + postID, auth: noAuth, status: 401, code: "invalid_client"},
			{name: "client_secret without client_id", body: b + "&client_secret=" + postSecret, auth: noAuth, status: 401, code: "invalid_client"},
			{name: "credentials in the query", path: p + "?client_id=" + postID + "&client_secret=" + postSecret, body: b, auth: noAuth, status: 401, code: "invalid_client"},
		}...)
		for i := range rows {
			if rows[i].path == "" {
				rows[i].path = p
			}
		}
	}
	tok, in, rv := pathToken, pathIntrospect, pathRevoke
	return append(rows, []badInput{
		{path: tok, name: "grant_type twice", body: "grant_type=client_credentials&grant_type=client_credentials", status: 400, code: "invalid_request"},
		{path: tok, name: "scope twice", body: "grant_type=client_credentials&scope=read&scope=write", status: 400, code: "invalid_request"},
		{path: tok, name: "missing grant_type", body: "scope=read", status: 400, code: "invalid_request"},
		{path: tok, name: "empty grant_type", body: "grant_type=", status: 400, code: "invalid_request"},
		{path: tok + "?grant_type=client_credentials", name: "grant_type in the query", body: "", status: 400, code: "invalid_request"},
		{path: tok, name: "grant_type password", body: "grant_type=password&username=u&password=p", status: 400, code: "unsupported_grant_type"},
		{path: tok, name: "grant_type authorization_code", body: "grant_type=authorization_code&code=x", status: 400, code: "unsupported_grant_type"},
		{path: tok, name: "grant_type refresh_token", body: "grant_type=refresh_token&refresh_token=x", status: 400, code: "unsupported_grant_type"},
		{path: tok, name: "grant_type foo", body: "grant_type=foo", status: 400, code: "unsupported_grant_type"},
		{path: tok, name: "grant_type in another case", body: "grant_type=Client_Credentials", status: 400, code: "unsupported_grant_type"},
		{path: tok, name: "non-UTF-8 scope", body: "grant_type=client_credentials&scope=%ff%fe", status: 400, code: "invalid_request"},
		{path: tok, name: "scope with a quote", body: "grant_type=client_credentials&scope=%22read", status: 400, code: "invalid_scope"},
		{path: tok, name: "scope with a backslash", body: "grant_type=client_credentials&scope=read%5C", status: 400, code: "invalid_scope"},
		{path: tok, name: "scope with a tab", body: "grant_type=client_credentials&scope=read%09write", status: 400, code: "invalid_scope"},
		{path: tok, name: "scope with a non-ASCII letter", body: "grant_type=client_credentials&scope=r%C3%A9ad", status: 400, code: "invalid_scope"},
		{path: tok, name: "valid scope plus a forbidden one", body: "grant_type=client_credentials&scope=read+%22x", status: 400, code: "invalid_scope"},
		{path: tok, name: "only disallowed scopes", body: "grant_type=client_credentials&scope=admin", status: 400, code: "invalid_scope"},
		{path: tok, name: "several disallowed scopes", body: "grant_type=client_credentials&scope=admin+root", status: 400, code: "invalid_scope"},
		{path: tok, name: "scope of spaces only", body: "grant_type=client_credentials&scope=++", status: 400, code: "invalid_scope"},
		{path: tok, name: "scope of another client", body: "grant_type=client_credentials&scope=write&client_id=" + postID + "&client_secret=" + postSecret, auth: noAuth, status: 400, code: "invalid_scope"},

		{path: in, name: "token twice", body: "token=a&token=b", status: 400, code: "invalid_request"},
		{path: in, name: "missing token", body: "token_type_hint=access_token", status: 400, code: "invalid_request"},
		{path: in, name: "empty token", body: "token=", status: 400, code: "invalid_request"},
		{path: in, name: "non-UTF-8 token", body: "token=%ff%fe", status: 400, code: "invalid_request"},
		{path: in, name: "100 KB token", body: "token=" + big, status: 413, code: "invalid_request"},
		{path: in, name: "100 KB prefixed token", body: "token=cao_at_" + big, status: 413, code: "invalid_request"},
		{path: in, name: "60 KB token", body: "token=" + big[:60_000], status: 200, exact: inactive},
		{path: in, name: "60 KB prefixed token", body: "token=cao_at_" + big[:60_000], status: 200, exact: inactive},
		{path: in, name: "token of another issuer", body: "token=" + url.QueryEscape(valid), status: 200, exact: inactive},
		{path: in + "?token=" + url.QueryEscape(valid), name: "token in the query", body: "", status: 400, code: "invalid_request"},

		{path: rv, name: "token twice", body: "token=a&token=b", status: 400, code: "invalid_request"},
		{path: rv, name: "missing token", body: "token_type_hint=access_token", status: 400, code: "invalid_request"},
		{path: rv, name: "empty token", body: "token=", status: 400, code: "invalid_request"},
		{path: rv, name: "non-UTF-8 token", body: "token=%ff%fe", status: 400, code: "invalid_request"},
		{path: rv, name: "100 KB token", body: "token=" + big, status: 413, code: "invalid_request"},
		{path: rv, name: "60 KB token", body: "token=" + big[:60_000], status: 200},
		{path: rv, name: "garbage token", body: "token=garbage", status: 200},
		{path: rv, name: "token of another issuer", body: "token=" + url.QueryEscape(valid), status: 200},
	}...)
}

// TestBadInput sends every kind of malformed, unauthenticated or unsupported request
// to the three POST endpoints and checks the RFC 6749 §5.2 error, and that none of
// them wrote to the store or disturbed an issued token.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	issued := e.token("")
	other := newEnv(t, nil, nil).token("") // well-formed, but signed with another secret
	before := e.store.writes()

	for _, c := range badInputs(other.AccessToken) {
		t.Run(strings.TrimPrefix(c.path, "/oauth2/")+"/"+c.name, func(t *testing.T) {
			method, ctype, auth := c.method, c.ctype, c.auth
			if method == "" {
				method = http.MethodPost
			}
			switch ctype {
			case "":
				ctype = formType
			case "-":
				ctype = ""
			}
			if auth == nil {
				auth = []string{basic(basicID, basicSecret)}
			}
			ee := *e
			ee.t = t
			r := ee.do(method, c.path, ctype, c.body, auth...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.code == "" {
				if string(r.body) != c.exact {
					t.Errorf("body %q, want %q", r.body, c.exact)
				}
				return
			}
			if code := decodeError(t, r); code != c.code {
				t.Errorf("error %q, want %q (%s)", code, c.code, r.body)
			}
			wantChallenge := c.challenge || c.status == http.StatusUnauthorized
			if ch := r.header.Get("WWW-Authenticate"); wantChallenge != strings.HasPrefix(ch, "Basic ") || (!wantChallenge && ch != "") {
				t.Errorf("WWW-Authenticate %q, challenge wanted: %v", ch, wantChallenge)
			} else if wantChallenge && !strings.Contains(ch, `realm="`+issuerURL+`"`) {
				t.Errorf("WWW-Authenticate %q does not name the issuer as realm", ch)
			}
			if allow := r.header.Get("Allow"); (c.status == 405) != (allow == http.MethodPost) {
				t.Errorf("Allow %q on a %d", allow, c.status)
			}
		})
	}

	if after := e.store.writes(); after != before {
		t.Errorf("bad input wrote to the store: creates, deletes, grant deletes went from %v to %v", before, after)
	}
	if got := e.introspect(issued.AccessToken); got == inactive {
		t.Errorf("the token issued before the bad input is no longer active")
	}
}
