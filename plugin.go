// Package caddyoauth2 is the module root of caddy-oauth2. Importing it registers the
// plugin's Caddy modules, which is what `xcaddy build --with` and `xcaddy run` need.
package caddyoauth2

import (
	_ "github.com/caddy-oauth2/caddy-oauth2/caddymodule"
)
