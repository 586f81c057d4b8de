package caddymodule

import (
	"encoding/json"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterGlobalOption("oauth2", parseGlobalOption)
	httpcaddyfile.RegisterHandlerDirective("oauth2_server", parseHandler[ServerHandler])
	httpcaddyfile.RegisterHandlerDirective("oauth2_protect", parseHandler[ProtectHandler])
	// The issuer's endpoints answer before any authentication directive, so a site can
	// serve them and protect everything else; oauth2_protect sits with the other
	// authentication handlers, before anything that responds or proxies.
	httpcaddyfile.RegisterDirectiveOrder("oauth2_server", httpcaddyfile.Before, "basic_auth")
	httpcaddyfile.RegisterDirectiveOrder("oauth2_protect", httpcaddyfile.After, "basic_auth")
}

// parseGlobalOption reads the oauth2 global option:
//
//	oauth2 {
//		issuer <name> {
//			url <issuer identifier>
//			storage bbolt [<file>]
//			access_token_ttl <duration>
//			client <client_id> {
//				secret <secret> | secret_hash <hash>
//				grant_types <grant...>
//				scopes <scope...>
//				auth_method client_secret_basic|client_secret_post
//			}
//		}
//	}
//
// The option may appear more than once; issuers accumulate.
func parseGlobalOption(d *caddyfile.Dispenser, existing any) (any, error) {
	app := new(App)
	if existing != nil {
		prev, ok := existing.(httpcaddyfile.App)
		if !ok || json.Unmarshal(prev.Value, app) != nil {
			return nil, d.Err("conflicting oauth2 option")
		}
	}
	if err := app.UnmarshalCaddyfile(d); err != nil {
		return nil, err
	}
	return httpcaddyfile.App{Name: "oauth2", Value: caddyconfig.JSON(app, nil)}, nil
}

// UnmarshalCaddyfile reads the body of the oauth2 global option.
func (a *App) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // "oauth2"
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "issuer":
			if !d.NextArg() {
				return d.Err("issuer needs a name")
			}
			name := d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
			if a.Issuers == nil {
				a.Issuers = map[string]*IssuerConfig{}
			}
			if a.Issuers[name] != nil {
				return d.Errf("issuer %q is declared twice", name)
			}
			cfg := new(IssuerConfig)
			if err := cfg.unmarshalCaddyfile(d); err != nil {
				return err
			}
			a.Issuers[name] = cfg
		default:
			return d.Errf("unknown oauth2 option %q", d.Val())
		}
	}
	return nil
}

func (c *IssuerConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch d.Val() {
		case "url":
			if err := oneArg(d, &c.URL); err != nil {
				return err
			}
		case "access_token_ttl":
			var s string
			if err := oneArg(d, &s); err != nil {
				return err
			}
			ttl, err := caddy.ParseDuration(s)
			if err != nil || ttl <= 0 {
				return d.Errf("access_token_ttl: %q is not a positive duration", s)
			}
			c.AccessTokenTTL = caddy.Duration(ttl)
		case "storage":
			if !d.NextArg() {
				return d.Err("storage needs a backend, e.g. storage bbolt /var/lib/caddy/oauth2.db")
			}
			name := d.Val()
			mod, err := caddyfile.UnmarshalModule(d, "oauth2.storage."+name)
			if err != nil {
				return err
			}
			c.StorageRaw = caddyconfig.JSONModuleObject(mod, "backend", name, nil)
		case "client":
			cl := new(ClientConfig)
			if !d.NextArg() {
				return d.Err("client needs a client_id")
			}
			cl.ClientID = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
			if err := cl.unmarshalCaddyfile(d); err != nil {
				return err
			}
			c.Clients = append(c.Clients, cl)
		default:
			return d.Errf("unknown issuer option %q", d.Val())
		}
	}
	return nil
}

func (c *ClientConfig) unmarshalCaddyfile(d *caddyfile.Dispenser) error {
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch d.Val() {
		case "secret":
			err = oneArg(d, &c.ClientSecret)
		case "secret_hash":
			err = oneArg(d, &c.ClientSecretHash)
		case "auth_method":
			err = oneArg(d, &c.TokenEndpointAuthMethod)
		case "grant_types":
			err = someArgs(d, &c.GrantTypes)
		case "scopes":
			err = someArgs(d, &c.Scopes)
		default:
			return d.Errf("unknown client option %q", d.Val())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func oneArg(d *caddyfile.Dispenser, dst *string) error {
	opt := d.Val()
	if !d.NextArg() {
		return d.Errf("%s needs a value", opt)
	}
	*dst = d.Val()
	if d.NextArg() {
		return d.Errf("%s takes one value", opt)
	}
	return nil
}

func someArgs(d *caddyfile.Dispenser, dst *[]string) error {
	opt := d.Val()
	args := d.RemainingArgs()
	if len(args) == 0 {
		return d.Errf("%s needs at least one value", opt)
	}
	*dst = append(*dst, args...)
	return nil
}

// handler is what parseHandler builds: a handler module with Caddyfile syntax.
type handler[T any] interface {
	*T
	caddyhttp.MiddlewareHandler
	caddyfile.Unmarshaler
}

func parseHandler[T any, P handler[T]](h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	p := P(new(T))
	err := p.UnmarshalCaddyfile(h.Dispenser)
	return p, err
}

// issuerArg reads the directive name and its one argument, the issuer's name.
func issuerArg(d *caddyfile.Dispenser) (string, error) {
	d.Next()
	directive := d.Val()
	if !d.NextArg() {
		return "", d.Errf("%s needs the name of an issuer", directive)
	}
	name := d.Val()
	if d.NextArg() {
		return "", d.ArgErr()
	}
	return name, nil
}

// UnmarshalCaddyfile reads `oauth2_server <issuer>`.
func (h *ServerHandler) UnmarshalCaddyfile(d *caddyfile.Dispenser) (err error) {
	if h.Issuer, err = issuerArg(d); err != nil {
		return err
	}
	if d.NextBlock(0) {
		return d.Errf("oauth2_server takes no options, found %q", d.Val())
	}
	return nil
}

// UnmarshalCaddyfile reads:
//
//	oauth2_protect <issuer> {
//		scopes <scope...>
//		realm <realm>
//		strip_authorization
//	}
func (h *ProtectHandler) UnmarshalCaddyfile(d *caddyfile.Dispenser) (err error) {
	if h.Issuer, err = issuerArg(d); err != nil {
		return err
	}
	for d.NextBlock(0) {
		var err error
		switch d.Val() {
		case "scopes":
			err = someArgs(d, &h.Scopes)
		case "realm":
			err = oneArg(d, &h.Realm)
		case "strip_authorization":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.StripAuthorization = true
		default:
			return d.Errf("unknown oauth2_protect option %q", d.Val())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var (
	_ caddyfile.Unmarshaler = (*App)(nil)
	_ caddyfile.Unmarshaler = (*ServerHandler)(nil)
	_ caddyfile.Unmarshaler = (*ProtectHandler)(nil)
)
