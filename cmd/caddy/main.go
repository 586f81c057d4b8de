// Command caddy is Caddy with its standard modules plus the caddy-oauth2 plugin.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/caddy-oauth2/caddy-oauth2"
)

func main() {
	caddycmd.Main()
}
