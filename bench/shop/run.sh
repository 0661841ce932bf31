#!/usr/bin/env bash
# The shop's application through the reverse proxy, beside the same page served as a static
# file: requests per second measured by wrk over HTTPS keep-alive connections. Release builds
# of miniweb-server and miniweb-shop; one shop instance and each server on core 0 (taskset),
# wrk on core 1. Prints:
#   - the product list (GET / through the proxy to the shop, which reads SQLite for it) and the
#     same bytes as a static file from a miniweb-server, requests/s, p99, and their ratio;
#   - placing orders through the proxy: BENCH_USERS (4) users, one wrk thread and connection
#     each, each alternating POST /cart/add and POST /orders (303 See Other; every order a
#     BEGIN IMMEDIATE transaction with its stock update), orders/s and the ratio of its
#     requests/s to the static page's.
# Each measurement lasts BENCH_SECONDS (10 by default).
#
#   bench/shop/run.sh              # builds Release binaries in build/bench-shop
#   MINIWEB_SERVER_BIN=path MINIWEB_SHOP_BIN=path bench/shop/run.sh
#
# It takes the shared build lock itself (builds and benchmarks must not overlap).
set -euo pipefail

if [[ -z ${MINIWEB_BENCH_LOCKED:-} ]]; then
  MINIWEB_BENCH_LOCKED=1 exec flock /tmp/miniweb-build.lock "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
USERS=${BENCH_USERS:-4}
WORK=$(mktemp -d /tmp/miniweb-bench-shop.XXXXXX)
# shellcheck source=bench/bench_common.sh
source "$ROOT/bench/bench_common.sh"
need wrk wrk
need sqlite3 sqlite3
need python3 python3

if [[ -z ${MINIWEB_SERVER_BIN:-} || -z ${MINIWEB_SHOP_BIN:-} ]]; then
  BUILD="$ROOT/build/bench-shop"
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    quietly "configuring" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_SANITIZE=OFF -DMINIWEB_PARTS="server;ca" -DMINIWEB_TESTS=OFF
  fi
  quietly "building" cmake --build "$BUILD" -j2 --target miniweb-server miniweb-shop
  MINIWEB_SERVER_BIN="$BUILD/server/miniweb-server"
  MINIWEB_SHOP_BIN="$BUILD/shop/miniweb-shop"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # URL
  local tries=0
  until curl -sk -o /dev/null "$1"; do
    ((++tries > 100)) && { echo "nothing answers at $1" >&2; exit 1; }
    sleep 0.1
  done
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench.test \
  -addext subjectAltName=DNS:bench.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

# The shop, trusting the proxy in front of it (both on 127.0.0.1), with stock for every order.
SHOP_PORT=$(free_port)
taskset -c 0 "$MINIWEB_SHOP_BIN" --listen "127.0.0.1:$SHOP_PORT" --instance bench \
  --database "$WORK/shop.db" --trusted-proxy 127.0.0.1 2>/dev/null &
PIDS+=("$!")
wait_for "http://127.0.0.1:$SHOP_PORT/"
sqlite3 "$WORK/shop.db" "PRAGMA busy_timeout = 10000; UPDATE products SET stock = 1000000000" >/dev/null

# The same page as a file.
mkdir -p "$WORK/site"
curl -s -o "$WORK/site/index.html" "http://127.0.0.1:$SHOP_PORT/"

PROXY_PORT=$(free_port)
STATIC_PORT=$(free_port)
for kind in proxy static; do
  port=$PROXY_PORT
  [[ $kind == static ]] && port=$STATIC_PORT
  {
    printf '[[listener]]\naddress = "127.0.0.1"\nport = %s\n\n[server]\naccess_log = "off"\n\n' "$port"
    printf '[[site]]\nnames = ["bench.test"]\ncertificate = "cert.pem"\nkey = "key.pem"\ngzip = false\n'
    if [[ $kind == proxy ]]; then
      printf '[[site.proxy]]\nprefix = "/"\nupstream = "shop"\n\n'
      printf '[[upstream]]\nname = "shop"\n[[upstream.server]]\naddress = "127.0.0.1:%s"\n' "$SHOP_PORT"
    else
      printf 'root = "site"\n'
    fi
  } >"$WORK/$kind.toml"
  taskset -c 0 "$MINIWEB_SERVER_BIN" --config "$WORK/$kind.toml" 2>/dev/null &
  PIDS+=("$!")
done
wait_for "https://127.0.0.1:$PROXY_PORT/"
wait_for "https://127.0.0.1:$STATIC_PORT/index.html"
if ! cmp -s <(curl -sk "https://127.0.0.1:$PROXY_PORT/") "$WORK/site/index.html"; then
  echo "the proxied product list and the static copy differ" >&2
  exit 1
fi

# wrk's summary: "requests/s p99_ms errors".
measure() {  # wrk arguments...
  local out
  out=$(taskset -c 1 wrk -d"${SECONDS_PER_RUN}s" --latency "$@")
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { v = $2; n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF } /Socket errors:/ { print "socket" }' <<<"$out" | paste -sd' ')
  echo "$rps $p99 ${errors:-none}"
}

# Users for the orders: each signed up straight at the shop, its session and csrf token kept.
cat >"$WORK/orders.lua" <<'LUA'
-- One user per wrk thread (and one connection each): add a product, then order the cart.
local users = {}
for line in io.lines(os.getenv("BENCH_USERS_FILE")) do
  local session, csrf = line:match("(%S+) (%S+)")
  users[#users + 1] = { session = session, csrf = csrf }
end
local next_user = 1
function setup(thread)
  local user = users[next_user]
  next_user = next_user + 1
  thread:set("session", user.session)
  thread:set("csrf", user.csrf)
end
local step = 0
function request()
  step = step + 1
  local headers = { ["Cookie"] = "session=" .. session,
                    ["Content-Type"] = "application/x-www-form-urlencoded" }
  if step % 2 == 1 then
    return wrk.format("POST", "/cart/add", headers, "csrf=" .. csrf .. "&product=1&quantity=1")
  end
  return wrk.format("POST", "/orders", headers, "csrf=" .. csrf)
end
LUA
PRE=$(printf 'c%.0s' $(seq 64))
: >"$WORK/users.txt"
for i in $(seq "$USERS"); do
  session=$(curl -s -o /dev/null -D - -H "Cookie: __Host-csrf=$PRE" \
    -d "csrf=$PRE&username=bench$i&password=bench+password" "http://127.0.0.1:$SHOP_PORT/signup" |
    sed -n 's/^Set-Cookie: session=\([0-9a-f]*\);.*/\1/p')
  csrf=$(curl -s -H "Cookie: session=$session" "http://127.0.0.1:$SHOP_PORT/cart" |
    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  [[ -n $session && -n $csrf ]] || { echo "could not sign up bench$i" >&2; exit 1; }
  echo "$session $csrf" >>"$WORK/users.txt"
done

echo "wrk over HTTPS keep-alive, ${SECONDS_PER_RUN}s per run; servers and the shop on core 0, wrk on core 1"
printf '%-36s %12s %10s  %s\n' what 'requests/s' 'p99 ms' errors
read -r s_rps s_p99 s_err < <(measure -t1 -c"$CONNECTIONS" "https://127.0.0.1:$STATIC_PORT/index.html")
printf '%-36s %12s %10s  %s\n' "static copy of the list (c$CONNECTIONS)" "$s_rps" "$s_p99" "$s_err"
read -r l_rps l_p99 l_err < <(measure -t1 -c"$CONNECTIONS" "https://127.0.0.1:$PROXY_PORT/")
printf '%-36s %12s %10s  %s\n' "product list via proxy (c$CONNECTIONS)" "$l_rps" "$l_p99" "$l_err"
orders_before=$(sqlite3 "$WORK/shop.db" "SELECT count(*) FROM orders")
read -r o_rps o_p99 o_err < <(BENCH_USERS_FILE="$WORK/users.txt" measure -t"$USERS" -c"$USERS" -s "$WORK/orders.lua" "https://127.0.0.1:$PROXY_PORT/")
orders=$(( $(sqlite3 "$WORK/shop.db" "SELECT count(*) FROM orders") - orders_before ))
printf '%-36s %12s %10s  %s\n' "add + order via proxy (c$USERS)" "$o_rps" "$o_p99" "$o_err"
awk -v s="$s_rps" -v l="$l_rps" -v o="$o_rps" -v n="$orders" -v t="$SECONDS_PER_RUN" 'BEGIN {
  printf "orders placed: %d (%.1f orders/s)\n", n, n / t
  printf "ratio    product list %.2fx the static page; add+order requests %.2fx the static page\n", l / s, o / s
}'
