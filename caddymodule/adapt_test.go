package caddymodule_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
)

var update = flag.Bool("update", false, "rewrite the golden JSON files of TestAdapt")

// TestAdapt adapts each Caddyfile in testdata/adapt, and Caddyfile.example, to JSON
// and compares it with the golden file next to it (go test -run TestAdapt -update
// rewrites them). The JSON must also load back into the app's types unchanged.
func TestAdapt(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/adapt/*.caddyfile")
	inputs = append(inputs, "../Caddyfile.example")
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(src, map[string]any{"filename": in})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warnings {
				t.Errorf("warning: %s", w.String())
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "\t"); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata/adapt", strings.TrimSuffix(filepath.Base(in), ".caddyfile")+".json")
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestAdapt -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Fatalf("adapted JSON differs from %s:\n%s", golden, pretty.String())
			}
			// The JSON is a valid Caddy config (unknown fields would fail here).
			var cfg caddy.Config
			if err := caddy.StrictUnmarshalJSON(out, &cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCaddyfileErrors checks that malformed Caddyfile input is refused with a
// message that names the problem.
func TestCaddyfileErrors(t *testing.T) {
	for name, c := range map[string]struct{ src, want string }{
		"argument to oauth2":         {"{\n\toauth2 extra\n}", "wrong argument count"},
		"unknown oauth2 option":      {"{\n\toauth2 {\n\t\tissuers x\n\t}\n}", `unknown oauth2 option "issuers"`},
		"issuer without name":        {"{\n\toauth2 {\n\t\tissuer {\n\t\t}\n\t}\n}", "issuer needs a name"},
		"issuer declared twice":      {"{\n\toauth2 {\n\t\tissuer a\n\t\tissuer a\n\t}\n}", `issuer "a" is declared twice`},
		"unknown issuer option":      {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tcolour blue\n\t\t}\n\t}\n}", `unknown issuer option "colour"`},
		"url without value":          {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\turl\n\t\t}\n\t}\n}", "url needs a value"},
		"negative ttl":               {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\taccess_token_ttl -1h\n\t\t}\n\t}\n}", "not a positive duration"},
		"storage without backend":    {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tstorage\n\t\t}\n\t}\n}", "storage needs a backend"},
		"unknown storage backend":    {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tstorage etcd x\n\t\t}\n\t}\n}", "oauth2.storage.etcd"},
		"bbolt with two files":       {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tstorage bbolt x y\n\t\t}\n\t}\n}", "wrong argument count"},
		"client without id":          {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tclient {\n\t\t\t}\n\t\t}\n\t}\n}", "client needs a client_id"},
		"scopes without values":      {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tclient c {\n\t\t\t\tscopes\n\t\t\t}\n\t\t}\n\t}\n}", "scopes needs at least one value"},
		"secret with two values":     {"{\n\toauth2 {\n\t\tissuer a {\n\t\t\tclient c {\n\t\t\t\tsecret a b\n\t\t\t}\n\t\t}\n\t}\n}", "secret takes one value"},
		"oauth2_server without name": {":80 {\n\toauth2_server\n}", "oauth2_server needs the name of an issuer"},
		"oauth2_server with block":   {":80 {\n\toauth2_server a {\n\t\tx\n\t}\n}", "oauth2_server takes no options"},
		"oauth2_protect unknown":     {":80 {\n\toauth2_protect a {\n\t\tscope read\n\t}\n}", `unknown oauth2_protect option "scope"`},
		"strip_authorization value":  {":80 {\n\toauth2_protect a {\n\t\tstrip_authorization yes\n\t}\n}", "wrong argument count"},
	} {
		_, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(c.src), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}
