#!/usr/bin/env bash
# Builds, runs and tests the custom Caddy with the caddy-oauth2 plugin.
#   ./xcaddy.sh build   build ./caddy (xcaddy when installed, else go build ./cmd/caddy: the same binary)
#   ./xcaddy.sh run     build, then start the demo from Caddyfile.example
#   ./xcaddy.sh test    build, then run every check and test (what CI runs)
set -euo pipefail
cd "$(dirname "$0")"

CADDY_VERSION=v2.11.9

build() {
	if command -v xcaddy >/dev/null 2>&1; then
		xcaddy build "$CADDY_VERSION" --output ./caddy --with "github.com/caddy-oauth2/caddy-oauth2=."
	else
		go build -o ./caddy ./cmd/caddy
	fi
}

case "${1:-}" in
build)
	build
	;;
run)
	build
	exec ./caddy run --config Caddyfile.example --adapter caddyfile
	;;
test)
	build
	echo "== gofmt"
	bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	if [[ -n "$bad" ]]; then echo "gofmt would change: $bad"; exit 1; fi
	echo "== go vet"
	go vet ./...
	echo "== go test -race"
	CADDY_BINARY="$PWD/caddy" go test -race -count=1 -timeout 20m ./...
	;;
*)
	echo "usage: $0 build|run|test" >&2
	exit 2
	;;
esac
