#!/usr/bin/env bash
# Throughput benchmark of caddy-oauth2 against the reference server (Ory Hydra), in one run
# on one machine, so the ratios mean something even where the absolute figures do not.
#
#   bench/run.sh                      build ./caddy, measure ours, then Hydra, print a table
#   DURATION=30s bench/run.sh         longer runs (default 10s; every figure uses the same)
#   CADDY=/path/to/caddy bench/run.sh use that binary instead of building one
#   NO_HYDRA=1 bench/run.sh           measure ours only
#   PROFILE=1 bench/run.sh            also save a 5 s Go CPU profile of Caddy during each
#                                     of our loads in bench/results/*.pprof (costs a little)
#   ROUNDS=8 bench/run.sh             alternate plain/gateway 8 times instead of 4
#   WARMUP=2s, QUIET_WAIT=60, NOISY_RETRIES=2, HYDRA_SH=...: see below
#
# What is measured (wrk -t2 -c16, a warm-up before each figure, every response checked 2xx):
#   tokens/s          POST /oauth2/token, client_credentials, HTTP Basic client auth
#   introspections/s  POST /oauth2/introspect token=<a valid token>
#   gateway req/s     GET through oauth2_protect + reverse_proxy with a bearer token,
#   plain req/s       GET through the same reverse_proxy without oauth2_protect,
#                     alternated plain/gateway ROUNDS times (default 4) and averaged, for
#                     the ratio gateway/plain.
# Then the same token and introspection figures for Ory Hydra v2.3.0 on PostgreSQL, started
# with /work/shared/anchors/hydra.sh while our Caddy sits idle.
# The summary goes to stdout and to bench/results/latest.txt (git-ignored).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
RESULTS=$BENCH/results
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
# Same load settings for every figure: 2 threads (the machine has 2 cores), 16 connections.
WRK_ARGS=(-t2 -c16)
HYDRA_SH=${HYDRA_SH:-/work/shared/anchors/hydra.sh}
PROFILE=${PROFILE:-0}
# Rounds of plain/gateway alternation (the gateway/plain ratio uses the mean of each).
ROUNDS=${ROUNDS:-4}

ISSUER=http://127.0.0.1:19000
GATEWAY=http://127.0.0.1:19080
PLAIN=http://127.0.0.1:19081
UPSTREAM=http://127.0.0.1:19090
ADMIN=http://127.0.0.1:2999
HYDRA_PUBLIC=http://127.0.0.1:4444
HYDRA_ADMIN=http://127.0.0.1:4445

die() { echo "bench: FAILED: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# ---------------------------------------------------------------------------------------
# Cleanup: everything this script starts is stopped on exit, whatever the reason.
TMP=$(mktemp -d /tmp/caddy-oauth2-bench.XXXXXX)
CADDY_PID=""
HYDRA_PID="" # set only when this script started Hydra
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n "$CADDY_PID" ]] && kill -0 "$CADDY_PID" 2>/dev/null; then
		kill "$CADDY_PID" 2>/dev/null || true
		wait "$CADDY_PID" 2>/dev/null || true
	fi
	stop_hydra
	if ((rc != 0)) && [[ -s $TMP/caddy.log ]]; then
		echo "--- last lines of the Caddy log:" >&2
		tail -n 20 "$TMP/caddy.log" >&2 || true
	fi
	rm -rf "$TMP"
	exit "$rc"
}
# Hydra was started by hydra.sh with setsid, so it is not our child: stop it by the PID we
# recorded when it came up (never by name, which could hit someone else's Hydra).
stop_hydra() {
	[[ -n "$HYDRA_PID" ]] || return 0
	kill "$HYDRA_PID" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$HYDRA_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$HYDRA_PID" 2>/dev/null && kill -9 "$HYDRA_PID" 2>/dev/null || true
	HYDRA_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# Helpers.

# to_seconds 10s|2m|500ms -> whole seconds (rounded up), to bound each wrk run with timeout.
to_seconds() {
	case "$1" in
	*ms) echo $((${1%ms} / 1000 + 1)) ;;
	*s) echo "${1%s}" ;;
	*m) echo $((${1%m} * 60)) ;;
	*h) echo $((${1%h} * 3600)) ;;
	*) echo "$1" ;;
	esac
}

port_free() { [[ -z "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]]; }

# CPU accounting, to see who uses the 2 cores during a load: clock ticks of a set of
# processes (utime+stime of every thread), and busy ticks of the whole machine.
CLK_TCK=$(getconf CLK_TCK)
proc_ticks() {
	local sum=0 pid f
	for pid in "$@"; do
		# Fields after the ")" that ends the command name: utime is the 12th, stime the 13th,
		# then cutime and cstime: the CPU of children that exited, which is how the work of
		# PostgreSQL backends that come and go during a run reaches the postmaster.
		f=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
		read -ra f <<<"$f"
		sum=$((sum + f[11] + f[12] + f[13] + f[14]))
	done
	echo "$sum"
}
# "busy irq": busy ticks, and of those the ticks spent in interrupts (on loopback mostly the
# TCP stack's softirq work; with tick-based accounting it is also charged to the process
# that was interrupted, so it is a part of the per-process figures, not in addition).
machine_ticks() {
	local _ user nice system idle iowait irq softirq steal
	read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
	echo "$((user + nice + system + irq + softirq + steal)) $((irq + softirq))"
}
# The server processes whose CPU we account for: Caddy, or Hydra plus PostgreSQL (its
# postmaster and every backend, which is where Hydra's queries run). Listed after the
# warm-up, so the backends of Hydra's connection pool exist by then.
SERVER=caddy HYDRA_SERVE_PID=""
server_pids() {
	if [[ $SERVER == caddy ]]; then
		echo "$CADDY_PID"
		return
	fi
	echo "$HYDRA_SERVE_PID"
	local pm
	pm=$(head -n 1 /tmp/anchors/pg/data/postmaster.pid 2>/dev/null) || return 0
	echo "$pm"
	pgrep -P "$pm" || true
}

# wait_quiet: other people's builds share this machine and would steal CPU from whatever is
# measured. Before each measured run, wait (at most QUIET_WAIT seconds) until the machine has
# been nearly idle (< 0.15 cores busy, our idle servers included) for a full second. A run
# that still saw other load is flagged in the details by its "other" figure.
QUIET_WAIT=${QUIET_WAIT:-60}
wait_quiet() {
	local start=$SECONDS a b
	while ((SECONDS - start < QUIET_WAIT)); do
		a=$(machine_ticks)
		sleep 1
		b=$(machine_ticks)
		(((${b% *} - ${a% *}) * 100 < 15 * CLK_TCK)) && return 0
	done
	echo "bench: warning: the machine did not become idle within ${QUIET_WAIT}s; measuring anyway" >&2
}

# run_wrk <seconds-spec> <url>: one wrk run with the request described by the WRK_* variables
# (see wrk.lua); prints wrk's output and fails loudly on any non-2xx answer or socket error.
run_wrk() {
	local dur=$1 url=$2 out line
	# bash's time keyword adds wrk's own CPU use (user+sys seconds) as a WRKCPU line.
	local TIMEFORMAT='WRKCPU %U %S'
	out=$({ time timeout $(($(to_seconds "$dur") + 30)) wrk "${WRK_ARGS[@]}" -d"$dur" --latency -s "$BENCH/wrk.lua" "$url" 2>&1; } 2>&1) ||
		die "wrk failed on $url: $out"
	line=$(grep '^BENCH requests=' <<<"$out") || die "no summary from wrk on $url: $out"
	line+=" wrk_cpu_s=$(awk '/^WRKCPU/ { printf "%.2f", $2 + $3 }' <<<"$out")"
	# Any non-2xx response or socket error makes the figure meaningless: stop here.
	local k v bad=0
	for k in non2xx connect read write timeout; do
		v=$(sed -n "s/.* $k=\([0-9]*\).*/\1/p" <<<"$line")
		((v == 0)) || bad=1
	done
	local n
	n=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
	((n > 0)) || bad=1
	if ((bad)); then
		echo "$out" >&2
		die "errors during the load on $url (see above): $line"
	fi
	echo "$line"
}

# measure <name> <url>: warm-up, then the measured run with CPU accounting. Sets RPS and
# CPU_NOTE, and appends the details to the log of this run. Other people's work on this
# machine can take CPU during a run; such a run (NOISY, more than 0.25 cores of "other") is
# repeated, at most NOISY_RETRIES more times, and the attempt that shared the machine least
# is kept (chosen by its "other" figure, never by its result). Every attempt is logged.
NOISY_RETRIES=${NOISY_RETRIES:-2}
RPS="" CPU_NOTE=""
measure() {
	local name=$1 url=$2 attempt best_other="" best_rps="" best_note=""
	for ((attempt = 0; attempt <= NOISY_RETRIES; attempt++)); do
		measure_once "$name" "$url"
		if [[ -z "$best_other" ]] || awk -v a="$OTHER" -v b="$best_other" 'BEGIN { exit !(a < b) }'; then
			best_other=$OTHER best_rps=$RPS best_note=$CPU_NOTE
		fi
		awk -v o="$OTHER" 'BEGIN { exit !(o > 0.25) }' || break
		if ((attempt < NOISY_RETRIES)); then
			log "$name: the machine was busy with other work during the run; measuring again"
		fi
	done
	RPS=$best_rps CPU_NOTE=$best_note
}

measure_once() {
	local name=$1 url=$2 line s0 m0 s1 m1 secs wrk_s prof_pid=""
	wait_quiet
	log "$name: warm-up $WARMUP"
	run_wrk "$WARMUP" "$url" >/dev/null
	log "$name: measuring $DURATION"
	# Processes are listed at the start and at the end: one born during the run counts in
	# full, one that ended during the run through its parent's cutime.
	local pids
	mapfile -t pids < <(server_pids)
	s0=$(proc_ticks "${pids[@]}") m0=$(machine_ticks)
	if [[ "$PROFILE" == 1 && $SERVER == caddy ]]; then
		# Starts after a second of load and lasts 5 s, within any DURATION >= 7s.
		(sleep 1 && curl -fsS -o "$RESULTS/$name.pprof" "$ADMIN/debug/pprof/profile?seconds=5") &
		prof_pid=$!
	fi
	line=$(run_wrk "$DURATION" "$url")
	mapfile -t pids < <(server_pids)
	s1=$(proc_ticks "${pids[@]}") m1=$(machine_ticks)
	[[ -z "$prof_pid" ]] || wait "$prof_pid" || echo "bench: warning: no profile for $name" >&2
	RPS=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$line")
	secs=$(sed -n 's/.* duration_us=\([0-9]*\).*/\1/p' <<<"$line")
	wrk_s=$(sed -n 's/.* wrk_cpu_s=\([0-9.]*\).*/\1/p' <<<"$line")
	# Cores used on average during the run: the server, wrk, and everything else on the
	# machine (other users' builds, say), which would make the figure noisy.
	local awk_cpu='BEGIN { d /= 1e6; s /= t; m /= t; i /= t; o = (m - s - w) / d }'
	local -a cpu_vars=(-v s=$((s1 - s0)) -v m=$((${m1% *} - ${m0% *})) -v i=$((${m1#* } - ${m0#* }))
		-v w="$wrk_s" -v t="$CLK_TCK" -v d="$secs")
	OTHER=$(awk "${cpu_vars[@]}" "$awk_cpu"' END { printf "%.2f", o }' </dev/null)
	CPU_NOTE=$(awk "${cpu_vars[@]}" "$awk_cpu"' END {
		printf "cores: server %.2f, wrk %.2f, other %.2f (irq %.2f, counted in the others)%s",
			s / d, w / d, o, i / d, (o > 0.25 ? " NOISY" : "") }' </dev/null)
	printf '%-22s %10.1f req/s  %s  (%s)\n' "$name" "$RPS" "$CPU_NOTE" "${line#BENCH }" | tee -a "$TMP/details.txt" >&2
}

# expect <what> <expected status> <pattern or ""> <curl args...>: one request with curl
# before a load, so that we never benchmark an error path.
expect() {
	local what=$1 want=$2 pat=$3 body status
	shift 3
	body=$(curl -sS -o - -w '\n%{http_code}' "$@") || die "$what: curl failed"
	status=${body##*$'\n'}
	body=${body%$'\n'*}
	[[ "$status" == "$want" ]] || die "$what: HTTP $status, expected $want: $body"
	[[ -z "$pat" ]] || grep -q -- "$pat" <<<"$body" || die "$what: response lacks $pat: $body"
	log "check ok: $what (HTTP $status)"
}

# ---------------------------------------------------------------------------------------
# Prerequisites.
command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk; }
command -v jq >/dev/null || { log "installing jq"; apt-get update -qq && apt-get install -y -qq jq; }
mkdir -p "$RESULTS"

# Which code is measured: the commit, and whether the working tree (bench/ aside) differs.
CODE_VERSION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z "$(git -C "$ROOT" status --porcelain -- . ':!bench' 2>/dev/null)" ]] || CODE_VERSION+=" + uncommitted changes"
if [[ -n "${CADDY:-}" ]]; then
	CODE_VERSION="$CADDY (given with CADDY=; the tree is at $CODE_VERSION)"
else
	log "building ./caddy"
	(cd "$ROOT" && ./xcaddy.sh build)
	CADDY=$ROOT/caddy
fi
[[ -x "$CADDY" ]] || die "no Caddy binary at $CADDY"
CADDY=$(realpath "$CADDY")

# ---------------------------------------------------------------------------------------
# Start Caddy on loopback with a fresh data directory, so the database holds only this run's
# tokens and nothing of another Caddy on the machine is touched.
for p in 19000 19080 19081 19090 2999; do
	port_free "$p" || die "port $p is already in use on this machine"
done
mkdir -p "$TMP/data" "$TMP/config"
log "starting Caddy ($CADDY), data in $TMP"
XDG_DATA_HOME=$TMP/data XDG_CONFIG_HOME=$TMP/config BENCH_DIR=$TMP \
	"$CADDY" run --config "$BENCH/Caddyfile" --adapter caddyfile >"$TMP/caddy.log" 2>&1 &
CADDY_PID=$!
for _ in $(seq 100); do
	kill -0 "$CADDY_PID" 2>/dev/null || die "Caddy exited at start: $(tail -n 20 "$TMP/caddy.log")"
	curl -fsS -o /dev/null "$UPSTREAM/" 2>/dev/null && curl -sS -o /dev/null "$ISSUER/" 2>/dev/null && break
	sleep 0.1
done
curl -fsS -o /dev/null "$UPSTREAM/" || die "Caddy did not come up"

BASIC="Basic $(printf '%s' 'bench-client:bench-secret' | base64 -w0)"
FORM=application/x-www-form-urlencoded

# (1) Tokens.
expect "our token endpoint" 200 '"access_token"' -X POST "$ISSUER/oauth2/token" \
	-H "Authorization: $BASIC" -H "Content-Type: $FORM" --data 'grant_type=client_credentials&scope=read'
WRK_METHOD=POST WRK_AUTH=$BASIC WRK_BODY='grant_type=client_credentials&scope=read' \
	measure ours_tokens "$ISSUER/oauth2/token"
OURS_TOKENS=$RPS OURS_TOKENS_CPU=$CPU_NOTE

# One token, obtained once, for introspection and the gateway.
TOKEN=$(curl -fsS -X POST "$ISSUER/oauth2/token" -H "Authorization: $BASIC" -H "Content-Type: $FORM" \
	--data 'grant_type=client_credentials&scope=read' | jq -er .access_token) || die "could not get a token"

# (2) Introspection.
expect "our introspection" 200 '"active":true' -X POST "$ISSUER/oauth2/introspect" \
	-H "Authorization: $BASIC" -H "Content-Type: $FORM" --data "token=$TOKEN"
WRK_METHOD=POST WRK_AUTH=$BASIC WRK_BODY="token=$TOKEN" \
	measure ours_introspect "$ISSUER/oauth2/introspect"
OURS_INTRO=$RPS OURS_INTRO_CPU=$CPU_NOTE

# (3) Gateway against plain proxy. The gateway must let the token through and refuse a
# request without one; both proxies must reach the upstream.
expect "gateway with the token" 200 hello -H "Authorization: Bearer $TOKEN" "$GATEWAY/"
expect "gateway without a token" 401 "" "$GATEWAY/"
expect "plain proxy" 200 hello "$PLAIN/"
# Alternate plain and gateway (ROUNDS times each) and average each: the ratio is what
# matters, and alternating spreads any drift of the machine over both.
PLAIN_SUM=0 GATEWAY_SUM=0
for ((round = 1; round <= ROUNDS; round++)); do
	WRK_METHOD=GET WRK_AUTH="" WRK_BODY="" measure "plain_$round" "$PLAIN/"
	PLAIN_SUM=$(awk -v a="$PLAIN_SUM" -v b="$RPS" 'BEGIN { print a + b }')
	PLAIN_CPU=$CPU_NOTE
	WRK_METHOD=GET WRK_AUTH="Bearer $TOKEN" WRK_BODY="" measure "gateway_$round" "$GATEWAY/"
	GATEWAY_SUM=$(awk -v a="$GATEWAY_SUM" -v b="$RPS" 'BEGIN { print a + b }')
	GATEWAY_CPU=$CPU_NOTE
done
OURS_PLAIN=$(awk -v s="$PLAIN_SUM" -v n="$ROUNDS" 'BEGIN { printf "%.1f", s / n }')
OURS_GATEWAY=$(awk -v s="$GATEWAY_SUM" -v n="$ROUNDS" 'BEGIN { printf "%.1f", s / n }')

# ---------------------------------------------------------------------------------------
# Hydra, measured while our Caddy is idle (it stays up but receives nothing).
HYDRA_TOKENS="" HYDRA_INTRO=""
if [[ "${NO_HYDRA:-0}" != 1 ]]; then
	for p in 4444 4445; do
		# An already running Hydra is reused and left running; only ours is stopped.
		if ! port_free "$p" && ! curl -fsS -o /dev/null "$HYDRA_PUBLIC/health/ready" 2>/dev/null; then
			die "port $p is in use by something that is not a ready Hydra"
		fi
	done
	hydra_was_up=0
	curl -fsS -o /dev/null "$HYDRA_PUBLIC/health/ready" 2>/dev/null && hydra_was_up=1
	log "starting Hydra with $HYDRA_SH serve (PostgreSQL on 127.0.0.1:5433)"
	bash "$HYDRA_SH" serve >"$TMP/hydra-client.json" || die "$HYDRA_SH serve failed"
	if ((!hydra_was_up)); then
		# The PID of the process listening on Hydra's public port, checked to be the Hydra
		# binary hydra.sh runs, so the trap stops exactly what we started.
		HYDRA_PID=$(ss -ltnpH "sport = :4444" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
		[[ -n "$HYDRA_PID" ]] && tr '\0' ' ' <"/proc/$HYDRA_PID/cmdline" | grep -q 'hydra serve' ||
			die "cannot find the Hydra process on port 4444"
	fi
	# From here on the CPU accounting follows Hydra and PostgreSQL; our Caddy stays idle.
	HYDRA_SERVE_PID=$(ss -ltnpH "sport = :4444" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
	SERVER=hydra

	HID=$(jq -er .client_id "$TMP/hydra-client.json") || die "no client_id from hydra.sh"
	HSECRET=$(jq -er .client_secret "$TMP/hydra-client.json") || die "no client_secret from hydra.sh"
	# RFC 6749 §2.3.1: id and secret are form-urlencoded before base64 (Hydra insists).
	urlenc() { jq -rn --arg v "$1" '$v | @uri'; }
	HBASIC="Basic $(printf '%s:%s' "$(urlenc "$HID")" "$(urlenc "$HSECRET")" | base64 -w0)"

	# hydra.sh registers the client without scopes, so Hydra's token request asks for none
	# (asking for "read" would be refused with invalid_scope).
	expect "Hydra token endpoint" 200 '"access_token"' -X POST "$HYDRA_PUBLIC/oauth2/token" \
		-H "Authorization: $HBASIC" -H "Content-Type: $FORM" --data 'grant_type=client_credentials'
	WRK_METHOD=POST WRK_AUTH=$HBASIC WRK_BODY='grant_type=client_credentials' \
		measure hydra_tokens "$HYDRA_PUBLIC/oauth2/token"
	HYDRA_TOKENS=$RPS HYDRA_TOKENS_CPU=$CPU_NOTE

	HTOKEN=$(curl -fsS -X POST "$HYDRA_PUBLIC/oauth2/token" -H "Authorization: $HBASIC" -H "Content-Type: $FORM" \
		--data 'grant_type=client_credentials' | jq -er .access_token) || die "could not get a Hydra token"
	# Hydra's admin port needs no authentication.
	expect "Hydra introspection" 200 '"active":true' -X POST "$HYDRA_ADMIN/admin/oauth2/introspect" \
		-H "Content-Type: $FORM" --data "token=$HTOKEN"
	WRK_METHOD=POST WRK_AUTH="" WRK_BODY="token=$HTOKEN" \
		measure hydra_introspect "$HYDRA_ADMIN/admin/oauth2/introspect"
	HYDRA_INTRO=$RPS HYDRA_INTRO_CPU=$CPU_NOTE

	# Stop Hydra if we started it; PostgreSQL (started by hydra.sh, shared with whoever else
	# uses the anchors) is left running: it is idle without Hydra.
	stop_hydra

	# Ours again, right after Hydra: the VM's speed drifts by tens of percent over the
	# minutes of a run, so each of our figures is the mean of one measurement before and
	# one after Hydra's, and the ratio is not decided by when each side happened to run.
	SERVER=caddy
	WRK_METHOD=POST WRK_AUTH=$BASIC WRK_BODY='grant_type=client_credentials&scope=read' \
		measure ours_tokens_2 "$ISSUER/oauth2/token"
	OURS_TOKENS=$(awk -v a="$OURS_TOKENS" -v b="$RPS" 'BEGIN { printf "%.1f", (a + b) / 2 }')
	WRK_METHOD=POST WRK_AUTH=$BASIC WRK_BODY="token=$TOKEN" \
		measure ours_introspect_2 "$ISSUER/oauth2/introspect"
	OURS_INTRO=$(awk -v a="$OURS_INTRO" -v b="$RPS" 'BEGIN { printf "%.1f", (a + b) / 2 }')
fi

# ---------------------------------------------------------------------------------------
# Summary.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "-" }'; }
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { if (r == "-") print "not measured"; else if (r + 0 >= g) print "met"; else print "NOT met" }'; }
GP=$(awk -v g="$OURS_GATEWAY" -v p="$OURS_PLAIN" 'BEGIN { printf "%.3f", g / p }')
TR=$(ratio "$OURS_TOKENS" "${HYDRA_TOKENS:-0}")
IR=$(ratio "$OURS_INTRO" "${HYDRA_INTRO:-0}")
{
	echo "caddy-oauth2 benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "code: $CODE_VERSION"
	echo "wrk ${WRK_ARGS[*]} -d$DURATION (warm-up $WARMUP before each), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(go version 2>/dev/null | awk '{print $3}')"
	echo
	printf '%-34s %12s %12s %10s  %s\n' "figure" "ours" "Hydra" "ours/Hydra" "goal"
	printf '%-34s %12s %12s %10s  %s\n' "client_credentials tokens/s" "$OURS_TOKENS" "${HYDRA_TOKENS:--}" "${TR}x" ">= 20x: $(verdict "$TR" 20)"
	printf '%-34s %12s %12s %10s  %s\n' "introspections/s" "$OURS_INTRO" "${HYDRA_INTRO:--}" "${IR}x" ">= 10x: $(verdict "$IR" 10)"
	printf '%-34s %12s\n' "plain reverse_proxy req/s (mean $ROUNDS)" "$OURS_PLAIN"
	printf '%-34s %12s\n' "gateway req/s (mean $ROUNDS)" "$OURS_GATEWAY"
	printf '%-34s %12s %12s %10s  %s\n' "gateway/plain" "$GP" "" "" ">= 0.9: $(verdict "$GP" 0.9)"
	echo
	echo "CPU during the measured runs, in cores used on average (the machine has $(nproc)):"
	printf '  %-18s %s\n' "ours tokens" "$OURS_TOKENS_CPU" "ours introspect" "$OURS_INTRO_CPU" \
		"plain (last)" "$PLAIN_CPU" "gateway (last)" "$GATEWAY_CPU"
	if [[ -n "$HYDRA_TOKENS" ]]; then
		printf '  %-18s %s\n' "Hydra tokens" "$HYDRA_TOKENS_CPU" "Hydra introspect" "$HYDRA_INTRO_CPU"
		echo "  (Hydra's server figure includes PostgreSQL)"
	fi
	echo "  \"other\" is CPU used by neither the server nor wrk: other people's work on this machine,"
	echo "  kernel threads. A run marked NOISY shared the CPU with more than 0.25 cores of it."
	echo
	echo "Every run:"
	cat "$TMP/details.txt"
} | tee "$RESULTS/latest.txt"
cp "$RESULTS/latest.txt" "$RESULTS/run-$(date -u +%Y%m%dT%H%M%SZ).txt"
