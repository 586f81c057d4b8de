package issuer_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddy-oauth2/caddy-oauth2/issuer"
	"github.com/caddy-oauth2/caddy-oauth2/issuer/clientsecret"
	"github.com/caddy-oauth2/caddy-oauth2/storage"
	"github.com/caddy-oauth2/caddy-oauth2/storage/bbolt"
)

const (
	issuerURL = "http://issuer.test"

	basicID, basicSecret = "svc-basic", "basic-secret"
	postID, postSecret   = "svc-post", "post-secret"
	oddID, oddSecret     = "svc-odd", "p@ss:w/rd%+" // must be form-urlencoded inside HTTP Basic

	pathToken      = issuer.PathToken
	pathIntrospect = issuer.PathIntrospect
	pathRevoke     = issuer.PathRevoke

	inactive = `{"active":false}`
)

// countingStore is the real store with a count of every write that removes or adds a token.
type countingStore struct {
	storage.Store
	creates, deletes, grantDeletes atomic.Int64
}

func (s *countingStore) CreateToken(ctx context.Context, t storage.Token) error {
	s.creates.Add(1)
	return s.Store.CreateToken(ctx, t)
}

func (s *countingStore) DeleteToken(ctx context.Context, id string) error {
	s.deletes.Add(1)
	return s.Store.DeleteToken(ctx, id)
}

func (s *countingStore) DeleteGrant(ctx context.Context, grantID string) (int, error) {
	s.grantDeletes.Add(1)
	return s.Store.DeleteGrant(ctx, grantID)
}

func (s *countingStore) writes() [3]int64 {
	return [3]int64{s.creates.Load(), s.deletes.Load(), s.grantDeletes.Load()}
}

func openStore(t *testing.T) *bbolt.Store {
	t.Helper()
	st, err := bbolt.Open(filepath.Join(t.TempDir(), "db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// testClients declares one client per way of authenticating: Basic with a plain
// secret, the form body with a hashed secret, and Basic with a secret that needs
// form-urlencoding.
func testClients(t *testing.T) []*issuer.Client {
	t.Helper()
	hashed, err := clientsecret.Parse(clientsecret.Hash(postSecret))
	if err != nil {
		t.Fatal(err)
	}
	return []*issuer.Client{
		{ID: basicID, Secret: clientsecret.Plain(basicSecret), AuthMethod: issuer.AuthSecretBasic, Scopes: []string{"read", "write"}},
		{ID: postID, Secret: hashed, AuthMethod: issuer.AuthSecretPost, Scopes: []string{"read"}},
		{ID: oddID, Secret: clientsecret.Plain(oddSecret), Scopes: []string{"write"}}, // Basic by default
	}
}

type env struct {
	t     *testing.T
	srv   *issuer.Server
	http  *httptest.Server
	store *countingStore
}

// newEnv serves an issuer on the real bbolt store (raw, or a fresh one when nil).
func newEnv(t *testing.T, raw storage.Store, edit func(*issuer.Config)) *env {
	t.Helper()
	if raw == nil {
		raw = openStore(t)
	}
	e := &env{t: t, store: &countingStore{Store: raw}}
	cfg := issuer.Config{URL: issuerURL, Clients: testClients(t), Store: e.store}
	if edit != nil {
		edit(&cfg)
	}
	var err error
	if e.srv, err = issuer.New(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	return e
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// basic encodes HTTP Basic credentials the way RFC 6749 §2.3.1 asks: each part
// form-urlencoded, then joined.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// do sends one request; every Authorization value in auth is sent as its own header.
func (e *env) do(method, path, contentType, body string, auth ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, a := range auth {
		req.Header.Add("Authorization", a)
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode >= 500 {
		e.t.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, b)
	}
	return response{res.StatusCode, res.Header, b}
}

const formType = "application/x-www-form-urlencoded"

// postForm posts form to path with HTTP Basic as id when id is not empty.
func (e *env) postForm(path string, form url.Values, id, secret string) response {
	e.t.Helper()
	var auth []string
	if id != "" {
		auth = append(auth, basic(id, secret))
	}
	return e.do(http.MethodPost, path, formType, form.Encode(), auth...)
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// token gets a client_credentials token for the Basic client with the given scope
// request ("" for none).
func (e *env) token(scope string) tokenResponse {
	e.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	r := e.postForm(pathToken, form, basicID, basicSecret)
	if r.status != http.StatusOK {
		e.t.Fatalf("token request: %d %s", r.status, r.body)
	}
	var tr tokenResponse
	mustJSON(e.t, r.body, &tr)
	return tr
}

// introspect asks as the Basic client and returns the raw body.
func (e *env) introspect(token string) string {
	e.t.Helper()
	r := e.postForm(pathIntrospect, url.Values{"token": {token}}, basicID, basicSecret)
	if r.status != http.StatusOK {
		e.t.Fatalf("introspection: %d %s", r.status, r.body)
	}
	return string(r.body)
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("body %q is not the expected JSON: %v", b, err)
	}
}

// decodeError checks that r is an RFC 6749 §5.2 error response and returns its code.
func decodeError(t *testing.T, r response) string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	var body map[string]any
	mustJSON(t, r.body, &body)
	code, _ := body["error"].(string)
	if code == "" {
		t.Errorf("body %s has no error", r.body)
	}
	if d, ok := body["error_description"]; ok {
		if _, isString := d.(string); !isString {
			t.Errorf("error_description %v is not a string", d)
		}
	}
	return code
}
