package caddymodule_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/caddy-oauth2/caddy-oauth2/caddymodule"
)

// Caddy keeps its state in package globals, so these tests start one real Caddy at a
// time, in this process, on free loopback ports.

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "caddy-oauth2-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// upstream is a real HTTP server behind reverse_proxy that records what it received.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
	last atomic.Pointer[http.Header]
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		h := r.Header.Clone()
		u.last.Store(&h)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "upstream says hello")
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) header(name string) string {
	if h := u.last.Load(); h != nil {
		return h.Get(name)
	}
	return ""
}

func (u *upstream) addr() string { return strings.TrimPrefix(u.URL, "http://") }

// env is one test's Caddy: an issuer site, a gateway site and the upstream.
type env struct {
	t           *testing.T
	issuerPort  int
	gatewayPort int
	db          string
	up          *upstream
}

func newEnv(t *testing.T) *env {
	return &env{t: t, issuerPort: freePort(t), gatewayPort: freePort(t),
		db: filepath.Join(t.TempDir(), "oauth2.db"), up: newUpstream(t)}
}

func (e *env) issuerURL() string  { return fmt.Sprintf("http://127.0.0.1:%d", e.issuerPort) }
func (e *env) gatewayURL() string { return fmt.Sprintf("http://127.0.0.1:%d", e.gatewayPort) }

// caddyfile fills the test's ports, database and upstream into a Caddyfile template:
// {ISSUER_PORT}, {GATEWAY_PORT}, {DB}, {UPSTREAM}.
func (e *env) caddyfile(tmpl string) string {
	return strings.NewReplacer(
		"{ISSUER_PORT}", fmt.Sprint(e.issuerPort), "{GATEWAY_PORT}", fmt.Sprint(e.gatewayPort),
		"{DB}", e.db, "{UPSTREAM}", e.up.addr(),
	).Replace(tmpl)
}

// load adapts a Caddyfile and loads it into the running Caddy (the first load starts
// it, a later one is a config reload, as `caddy reload` does).
func (e *env) load(caddyfileText string) error {
	cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(e.caddyfile(caddyfileText)), nil)
	if err != nil {
		return err
	}
	return caddy.Load(cfg, true)
}

func (e *env) start(caddyfileText string) {
	e.t.Helper()
	if err := e.load(caddyfileText); err != nil {
		e.t.Fatalf("loading config: %v", err)
	}
	e.t.Cleanup(e.stop)
}

func (e *env) stop() {
	http.DefaultClient.CloseIdleConnections()
	if err := caddy.Stop(); err != nil {
		e.t.Errorf("stopping Caddy: %v", err)
	}
}

// postForm sends an RFC 6749 form with HTTP Basic client authentication.
func (e *env) postForm(path, id, secret string, form url.Values) (*http.Response, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuerURL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) (*http.Response, map[string]any) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(body) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			e.t.Fatalf("%s %s: bad JSON %q: %v", req.Method, req.URL, body, err)
		}
	}
	return resp, m
}

func (e *env) token(id, secret, scope string) string {
	e.t.Helper()
	resp, m := e.postForm("/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("token request: %d %v", resp.StatusCode, m)
	}
	return m["access_token"].(string)
}

func (e *env) introspect(token string) map[string]any {
	e.t.Helper()
	resp, m := e.postForm("/oauth2/introspect", "api", "api-secret", url.Values{"token": {token}})
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("introspection: %d %v", resp.StatusCode, m)
	}
	return m
}

// gatewayGet calls the protected API with an Authorization header (none if empty).
func (e *env) gatewayGet(path, authorization string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.gatewayURL()+path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, _ := e.do(req)
	return resp
}
