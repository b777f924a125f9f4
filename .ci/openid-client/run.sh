#!/usr/bin/env bash
# Builds fakeidp, starts it on free loopback ports (HTTP and HTTPS) and runs
# openid-client (panva's strict OpenID Connect relying party for Node)
# against its Kontur site twice: over HTTP, and over HTTPS trusting
# fakeidp's CA through NODE_EXTRA_CA_CERTS, as an application would. Works from any directory; leaves nothing behind but node_modules
# (ignored by git) next to this script.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

for tool in go node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "openid-client check: $tool not found in PATH" >&2
    exit 1
  fi
done

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

cd "$root"
go build -o "$tmp/fakeidp" ./cmd/fakeidp
# The CA is made and installed before the server starts, as CI would.
mkdir "$tmp/tls"
"$tmp/fakeidp" ca --tls-dir "$tmp/tls" >"$tmp/ca.pem"
"$tmp/fakeidp" --addr 127.0.0.1:0 --tls-addr 127.0.0.1:0 --tls-dir "$tmp/tls" >"$tmp/stdout" 2>"$tmp/stderr" &
server_pid=$!

base=""
tls_base=""
for _ in $(seq 1 100); do
  base="$(sed -n 's|^fakeidp listening on \(http://[^[:space:]]*\)$|\1|p' "$tmp/stdout" | head -n 1)"
  tls_base="$(sed -n 's|^fakeidp listening on \(https://[^[:space:]]*\).*$|\1|p' "$tmp/stdout" | head -n 1)"
  [ -n "$base" ] && [ -n "$tls_base" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "openid-client check: fakeidp exited before listening:" >&2
    cat "$tmp/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$base" ] || [ -z "$tls_base" ]; then
  echo "openid-client check: fakeidp did not print its address within 10 s" >&2
  exit 1
fi

echo "# over HTTP: $base/kontur"
node "$here/check.mjs" "$base/kontur"
echo "# over HTTPS, trusting fakeidp's CA with NODE_EXTRA_CA_CERTS: $tls_base/kontur"
NODE_EXTRA_CA_CERTS="$tmp/ca.pem" node "$here/check.mjs" "$tls_base/kontur"
