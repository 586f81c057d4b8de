// Package e2e runs the built caddy binary on the demo Caddyfile.example, the way the
// README tells a new user to, and walks through the README's steps over HTTP,
// including `caddy reload` through the admin API and a stop and restart.
package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// caddyBinary is ./xcaddy.sh build's output (CADDY_BINARY), or a fresh go build.
func caddyBinary(t *testing.T) string {
	if b := os.Getenv("CADDY_BINARY"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "caddy")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/caddy")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building caddy: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

type demo struct {
	t                   *testing.T
	bin, dir, caddyfile string
	admin               string
	issuer, api         string
	cmd                 *exec.Cmd
}

// newDemo writes Caddyfile.example with free ports in place of 9000, 8080 and 9090
// and an admin endpoint of its own, so it runs beside anything else.
func newDemo(t *testing.T) *demo {
	src, err := os.ReadFile("../Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	d := &demo{t: t, bin: caddyBinary(t), dir: t.TempDir()}
	pIssuer, pAPI, pUp := freePort(t), freePort(t), freePort(t)
	d.admin = "127.0.0.1:" + freePort(t)
	d.issuer, d.api = "http://localhost:"+pIssuer, "http://localhost:"+pAPI
	cfg := strings.NewReplacer(":9000", ":"+pIssuer, ":8080", ":"+pAPI, ":9090", ":"+pUp).Replace(string(src))
	if !strings.HasPrefix(cfg, "{") && !strings.Contains(cfg, "\n{\n") {
		t.Fatal("Caddyfile.example has no global options block")
	}
	cfg = strings.Replace(cfg, "{\n", "{\n\tadmin "+d.admin+"\n", 1)
	d.caddyfile = filepath.Join(d.dir, "Caddyfile")
	if err := os.WriteFile(d.caddyfile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *demo) command(args ...string) *exec.Cmd {
	cmd := exec.Command(d.bin, args...)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(d.dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(d.dir, "config"))
	return cmd
}

func (d *demo) start() {
	d.t.Helper()
	d.cmd = d.command("run", "--config", d.caddyfile, "--adapter", "caddyfile")
	log, _ := os.Create(filepath.Join(d.dir, "caddy.log"))
	d.cmd.Stdout, d.cmd.Stderr = log, log
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait() })
	for range 100 {
		if resp, err := http.Get(d.issuer + "/.well-known/oauth-authorization-server"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := os.ReadFile(filepath.Join(d.dir, "caddy.log"))
	d.t.Fatalf("caddy did not start:\n%s", out)
}

// stop asks Caddy to stop through its admin API, as `caddy stop` does, and waits.
func (d *demo) stop() {
	d.t.Helper()
	if out, err := d.command("stop", "--address", d.admin).CombinedOutput(); err != nil {
		d.t.Fatalf("caddy stop: %v\n%s", err, out)
	}
	if err := d.cmd.Wait(); err != nil {
		d.t.Fatalf("caddy exited with %v", err)
	}
}

func (d *demo) call(method, u, basicUser, basicPass string, form url.Values, header ...string) (int, http.Header, string) {
	d.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %q", s)
	}
	return m
}

// TestDemoWalkthrough follows the README's curl walk-through against the demo.
func TestDemoWalkthrough(t *testing.T) {
	d := newDemo(t)
	d.start()
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"read admin"}}

	// 1. A token with HTTP Basic; "admin" is not allowed, so the scope narrows to "read".
	status, hdr, body := d.call("POST", d.issuer+"/oauth2/token", "demo-client", "demo-secret", cc)
	tok := decode(t, body)
	if status != 200 || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) || tok["scope"] != "read" || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v %v", status, hdr, body)
	}
	access := tok["access_token"].(string)

	// 2. client_secret_post, and a request for nothing allowed.
	status, _, body = d.call("POST", d.issuer+"/oauth2/token", "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-post-client"}, "client_secret": {"demo-post-secret"}})
	if status != 200 || decode(t, body)["scope"] != "read" {
		t.Fatalf("client_secret_post: %d %s", status, body)
	}
	status, _, body = d.call("POST", d.issuer+"/oauth2/token", "demo-client", "demo-secret", url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}})
	if status != 400 || decode(t, body)["error"] != "invalid_scope" {
		t.Fatalf("disallowed scope: %d %s", status, body)
	}

	// 3. Introspection.
	status, _, body = d.call("POST", d.issuer+"/oauth2/introspect", "demo-client", "demo-secret", url.Values{"token": {access}})
	in := decode(t, body)
	if status != 200 || in["active"] != true || in["client_id"] != "demo-client" || in["iss"] != d.issuer {
		t.Fatalf("introspection: %d %s", status, body)
	}
	status, _, body = d.call("POST", d.issuer+"/oauth2/introspect", "", "", url.Values{"token": {access}})
	if status != 401 || decode(t, body)["error"] != "invalid_client" {
		t.Fatalf("introspection without client authentication: %d %s", status, body)
	}

	// 4. The protected API.
	status, _, body = d.call("GET", d.api+"/hello", "", "", nil, "Authorization", "Bearer "+access)
	if up := decode(t, body); status != 200 || up["client_id"] != "demo-client" || up["scope"] != "read" {
		t.Fatalf("API with a token: %d %s", status, body)
	}
	status, hdr, _ = d.call("GET", d.api+"/hello", "", "", nil)
	if status != 401 || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer realm=") {
		t.Fatalf("API without a token: %d %v", status, hdr)
	}

	// 5. Discovery and keys.
	status, _, body = d.call("GET", d.issuer+"/.well-known/openid-configuration", "", "", nil)
	if status != 200 || decode(t, body)["token_endpoint"] != d.issuer+"/oauth2/token" {
		t.Fatalf("discovery: %d %s", status, body)
	}
	_, _, jwksBefore := d.call("GET", d.issuer+"/oauth2/jwks.json", "", "", nil)
	if !strings.Contains(jwksBefore, `"kid"`) {
		t.Fatalf("jwks: %s", jwksBefore)
	}

	// 6. caddy reload: tokens survive, nothing deadlocks on the bbolt file.
	if out, err := d.command("reload", "--config", d.caddyfile, "--adapter", "caddyfile", "--address", d.admin, "--force").CombinedOutput(); err != nil {
		t.Fatalf("caddy reload: %v\n%s", err, out)
	}
	if status, _, body = d.call("GET", d.api+"/hello", "", "", nil, "Authorization", "Bearer "+access); status != 200 {
		t.Fatalf("API after reload: %d %s", status, body)
	}

	// 7. Stop and start again on the same data directory: tokens and keys survive.
	d.stop()
	d.start()
	if status, _, body = d.call("POST", d.issuer+"/oauth2/introspect", "demo-client", "demo-secret", url.Values{"token": {access}}); decode(t, body)["active"] != true {
		t.Fatalf("introspection after restart: %d %s", status, body)
	}
	if _, _, jwksAfter := d.call("GET", d.issuer+"/oauth2/jwks.json", "", "", nil); jwksAfter != jwksBefore {
		t.Fatalf("keys changed across the restart")
	}

	// 8. Revocation: at once refused by the API, inactive at introspection.
	if status, _, _ = d.call("POST", d.issuer+"/oauth2/revoke", "demo-client", "demo-secret", url.Values{"token": {access}}); status != 200 {
		t.Fatalf("revoke: %d", status)
	}
	status, hdr, _ = d.call("GET", d.api+"/hello", "", "", nil, "Authorization", "Bearer "+access)
	if status != 401 || !strings.Contains(hdr.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("API after revocation: %d %v", status, hdr)
	}
	if _, _, body = d.call("POST", d.issuer+"/oauth2/introspect", "demo-client", "demo-secret", url.Values{"token": {access}}); body != `{"active":false}` {
		t.Fatalf("introspection after revocation: %s", body)
	}
	d.stop()
}
