#!/usr/bin/env bash
# bench.sh — one reproducible benchmark run of Warden's write path.
#
# Builds warden and wardenload, starts warden on the embedded store (fresh data
# dir) and a plain net/http hello-world server (the ceiling), then runs the same
# closed-loop client against: hello (a REST-shaped POST), warden REST lock/unlock
# and warden gRPC lock/unlock. Prints the machine and a results table.
#
# Environment:
#   CLIENTS="1 8 32"          client counts to run (default: 32)
#   DURATION=10s WARMUP=2s    measured time and warm-up per run
#   SIGNIN=0                  skip the sign-in runs (client credentials, introspection, userinfo)
#   WARDEN_BENCH_POSTGRES=DSN also run warden on PostgreSQL (a fresh database is
#                             created on that server and dropped afterwards)
set -euo pipefail

CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t warden-bench.XXXXXX)
pids=()
pgdb=""

cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n "$pgdb" ]]; then
		psql "$WARDEN_BENCH_POSTGRES" -q -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_ready() { # url
	local i
	for i in $(seq 1 300); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "not ready: $1" >&2
	return 1
}

# start_warden NAME [--database DSN] — sets $warden_url and $warden_dir
start_warden() {
	local name=$1
	shift
	local port
	port=$(free_port)
	warden_dir="$work/$name"
	mkdir -p "$warden_dir"
	"$work/warden" start --data-dir "$warden_dir" --addr "127.0.0.1:$port" --log-level warn "$@" \
		>"$work/$name.log" 2>&1 &
	pids+=($!)
	warden_url="http://127.0.0.1:$port"
	wait_ready "$warden_url/debug/ready" || { tail -20 "$work/$name.log" >&2; exit 1; }
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "building into $work ..." >&2
(cd "$root" && go build -o "$work/warden" ./cmd/warden && go build -o "$work/wardenload" ./cmd/wardenload)

results="$work/results.txt"
: >"$results"
run() { # label wardenload-args...
	local label=$1
	shift
	local line
	line=$("$work/wardenload" -duration "$DURATION" -warmup "$WARMUP" "$@")
	echo "$label $line" | tee -a "$results" >&2
}

hello_port=$(free_port)
"$work/wardenload" -serve-hello "127.0.0.1:$hello_port" >"$work/hello.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$hello_port/"

start_warden sqlite
sqlite_url=$warden_url sqlite_dir=$warden_dir

pg_url=""
if [[ -n "${WARDEN_BENCH_POSTGRES:-}" ]]; then
	pgdb="bench_$(date +%s)_$$"
	psql "$WARDEN_BENCH_POSTGRES" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pgdb" >/dev/null
	pgdsn=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$WARDEN_BENCH_POSTGRES" "$pgdb")
	(umask 077 && head -c 24 /dev/urandom | base64 >"$work/masterkey") # PostgreSQL needs the master key given
	start_warden postgres --database "$pgdsn" --masterkey-file "$work/masterkey"
	pg_url=$warden_url pg_dir=$warden_dir
fi

for c in $CLIENTS; do
	run "hello" -protocol hello -clients "$c" -target "http://127.0.0.1:$hello_port/management/v1/users/1/_lock"
	run "sqlite" -protocol rest -clients "$c" -target "$sqlite_url" -token-file "$sqlite_dir/admin.pat"
	run "sqlite" -protocol grpc -clients "$c" -target "$sqlite_url" -token-file "$sqlite_dir/admin.pat"
	if [[ -n "$pg_url" ]]; then
		run "postgres" -protocol rest -clients "$c" -target "$pg_url" -token-file "$pg_dir/admin.pat"
		run "postgres" -protocol grpc -clients "$c" -target "$pg_url" -token-file "$pg_dir/admin.pat"
	fi
done
# The sign-in side: client credentials grant, introspection, userinfo.
if [[ "${SIGNIN:-1}" == 1 ]]; then
	for c in $CLIENTS; do
		for p in client-credentials introspect userinfo; do
			run "sqlite" -protocol "$p" -clients "$c" -target "$sqlite_url" -token-file "$sqlite_dir/admin.pat"
		done
	done
fi

echo
echo "nproc:      $(nproc)"
echo "cpu:        $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "go:         $(go version)"
echo "warden:     $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo uncommitted)"
echo "load avg:   before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews results)"
echo "per run:    ${DURATION} measured after ${WARMUP} warm-up; closed loop, each client lock/unlock on its own user"
echo
# The wardenload line is key=value pairs; turn it into a table.
awk '
BEGIN { printf "%-9s %-18s %7s %9s %9s %8s %8s %8s %9s %6s\n", "store", "proto", "clients", "ops", "ops/s", "p50", "p90", "p99", "max", "errors" }
{
	store = $1
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	if (v["protocol"] == "hello") store = "-"
	printf "%-9s %-18s %7s %9s %9s %8s %8s %8s %9s %6s\n", store, v["protocol"], v["clients"], v["ops"], v["ops/s"], v["p50"], v["p90"], v["p99"], v["max"], v["errors"]
}' "$results"
