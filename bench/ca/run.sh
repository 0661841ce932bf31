#!/usr/bin/env bash
# CA benchmark (issue 4), two measurements, each beside a reference doing the same work:
#
#  1. Issuing N certificates (default 1000), one process per certificate, the CA making a
#     P-256 key pair and signing a leaf with the intermediate (SAN, EKU serverAuth, SKI/AKI,
#     CRL DP, AIA, random serial), beside the `openssl` command line doing the same profile
#     with the same intermediate (`openssl req -newkey` + `openssl x509 -req`). miniweb-ca
#     also records each certificate in its locked, atomically rewritten database.
#  2. One complete ACME order (lego, from account to certificate, http-01 validated through
#     the stack's DNS) against `miniweb-ca serve`, beside the same lego command against
#     Pebble (Debian's `pebble`, VA sleep and random nonce rejection off) using the same
#     resolver and the same http-01 port. RUNS orders each (default 5); the mean is printed.
#
#   bench/ca/run.sh                  # about a minute after the build
#   N=200 RUNS=3 bench/ca/run.sh     # shorter
#
# Loopback only (127.59.0.x, ports 14000-15000 and 5002, 5353). Installs pebble and lego
# from Debian if missing (pebble is bench-only). Builds miniweb-dns and miniweb-ca in Release
# in build/bench-ca; builds and measurements hold /tmp/miniweb-build.lock so they never
# overlap a build (set MINIWEB_BENCH_LOCKED=1 when the caller holds it already).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
N="${N:-1000}"
RUNS="${RUNS:-5}"
LOCK=/tmp/miniweb-build.lock
NET=127.59.0
DNS_PORT=5353
HTTP01_PORT=5002
MINIWEB_ACME_PORT=14100
PEBBLE_PORT=14000
PEBBLE_MANAGEMENT_PORT=15000

die() { echo "bench/ca: $*" >&2; exit 1; }
# The whole run (build and measurements) holds the build lock: nothing competes for the CPU.
if [ "${MINIWEB_BENCH_LOCKED:-0}" != 1 ]; then
  exec flock "$LOCK" env MINIWEB_BENCH_LOCKED=1 "$0" "$@"
fi
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# --- dependencies and build ----------------------------------------------------------------
need=()
command -v lego >/dev/null 2>&1 || need+=(lego)
command -v pebble >/dev/null 2>&1 || need+=(pebble)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "needs ${need[*]} (apt-get install ${need[*]})"
  echo "bench/ca: installing ${need[*]}"
  quietly "installing ${need[*]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-remove "${need[@]}"
fi
command -v openssl >/dev/null || die "needs openssl"

BUILD="$ROOT/build/bench-ca"
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_SANITIZE=OFF \
    -DMINIWEB_TESTS=OFF -DMINIWEB_PARTS="dns;ca" >/dev/null
fi
quietly "building" cmake --build "$BUILD" -j2 --target miniweb-dns miniweb-ca
DNS="$BUILD/dns/miniweb-dns"
CA="$BUILD/ca/miniweb-ca"
[ -x "$DNS" ] && [ -x "$CA" ] || die "build did not produce $DNS and $CA"

WORK="$(mktemp -d /tmp/miniweb-bench-ca.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

measure() {
  # --- 1. issuance -------------------------------------------------------------------------
  "$CA" init --dir "$WORK/ca" --base-url http://ca.test >/dev/null
  mkdir -p "$WORK/miniweb" "$WORK/openssl"
  local start end miniweb_issue openssl_issue
  start=$(now)
  for ((i = 0; i < N; i++)); do
    "$CA" issue --dir "$WORK/ca" --name "host$i.bench.test" --out "$WORK/miniweb/host$i" >/dev/null
  done
  end=$(now)
  miniweb_issue=$(elapsed "$start" "$end")

  start=$(now)
  for ((i = 0; i < N; i++)); do
    local out="$WORK/openssl/host$i"
    cat >"$out.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:host$i.bench.test
crlDistributionPoints=URI:http://ca.test/crl
authorityInfoAccess=caIssuers;URI:http://ca.test/intermediate.der
EOF
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out.key" \
      -subj "/CN=host$i.bench.test" -out "$out.csr" 2>/dev/null
    openssl x509 -req -in "$out.csr" -CA "$WORK/ca/intermediate.pem" \
      -CAkey "$WORK/ca/intermediate.key" -days 90 -sha256 -extfile "$out.ext" \
      -out "$out.crt" 2>/dev/null
    cat "$out.crt" "$WORK/ca/intermediate.pem" >"$out.chain.pem"
  done
  end=$(now)
  openssl_issue=$(elapsed "$start" "$end")
  openssl verify -CAfile "$WORK/ca/root.pem" -untrusted "$WORK/ca/intermediate.pem" \
    "$WORK/miniweb/host0.crt" "$WORK/openssl/host0.crt" >/dev/null || die "issued certificates do not verify"

  # --- 2. one ACME order -------------------------------------------------------------------
  cat >"$WORK/root.zone" <<EOF
. 86400 SOA a.root-servers.test. host.root-servers.test. 1 1800 900 604800 86400
. 86400 NS a.root-servers.test.
a.root-servers.test. 86400 A $NET.1
test. 172800 NS ns1.nic.test.
ns1.nic.test. 172800 A $NET.2
EOF
  {
    echo "\$ORIGIN test."
    echo "\$TTL 300"
    echo "@ SOA ns1.nic hostmaster.nic 1 7200 3600 1209600 300"
    echo "@ NS ns1.nic"
    echo "ns1.nic A $NET.2"
    for ((r = 0; r < RUNS; r++)); do
      echo "m$r.acme A $NET.10"
      echo "p$r.acme A $NET.10"
    done
  } >"$WORK/test.zone"
  printf '. 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A %s.1\n' "$NET" >"$WORK/root.hints"
  "$DNS" auth --listen "$NET.1:$DNS_PORT" --zone "$WORK/root.zone" 2>"$WORK/root.log" &
  PIDS+=($!)
  "$DNS" auth --listen "$NET.2:$DNS_PORT" --zone "$WORK/test.zone" 2>"$WORK/tld.log" &
  PIDS+=($!)
  "$DNS" recursive --listen "$NET.3:$DNS_PORT" --root-hints "$WORK/root.hints" \
    --upstream-port "$DNS_PORT" 2>"$WORK/recursive.log" &
  PIDS+=($!)
  "$CA" serve --dir "$WORK/ca" --name ca.test --listen "127.0.0.1:$MINIWEB_ACME_PORT" \
    --resolver "$NET.3:$DNS_PORT" --http-port "$HTTP01_PORT" 2>"$WORK/ca.log" &
  PIDS+=($!)
  # Pebble presents a certificate from our CA, so lego trusts both servers the same way.
  "$CA" issue --dir "$WORK/ca" --name pebble.test --out "$WORK/pebble" >/dev/null
  cat >"$WORK/pebble.json" <<EOF
{"pebble": {"listenAddress": "127.0.0.1:$PEBBLE_PORT",
            "managementListenAddress": "127.0.0.1:$PEBBLE_MANAGEMENT_PORT",
            "certificate": "$WORK/pebble.chain.pem", "privateKey": "$WORK/pebble.key",
            "httpPort": $HTTP01_PORT, "tlsPort": 5001, "ocspResponderURL": "",
            "externalAccountBindingRequired": false}}
EOF
  PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 pebble -config "$WORK/pebble.json" \
    -dnsserver "$NET.3:$DNS_PORT" >"$WORK/pebble.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    grep -q "ready acme" "$WORK/ca.log" && grep -q "Listening on" "$WORK/pebble.log" && break
    sleep 0.1
  done
  grep -q "ready acme" "$WORK/ca.log" || die "miniweb-ca serve did not start: $(cat "$WORK/ca.log")"
  grep -q "Listening on" "$WORK/pebble.log" || die "pebble did not start: $(cat "$WORK/pebble.log")"

  order() {  # order SERVER_URL SERVER_NAME DOMAIN DIR
    LEGO_CA_CERTIFICATES="$WORK/ca/root.pem" LEGO_CA_SERVER_NAME="$2" \
      lego --server "$1" --accept-tos --email bench@acme.test --domains "$3" --http \
      --http.port "$NET.10:$HTTP01_PORT" --path "$4" run >"$4.log" 2>&1 ||
      die "lego against $1 failed: $(tail -5 "$4.log")"
  }
  local miniweb_total=0 pebble_total=0 t
  for ((r = 0; r < RUNS; r++)); do
    start=$(now)
    order "https://127.0.0.1:$MINIWEB_ACME_PORT/directory" ca.test "m$r.acme.test" "$WORK/lego-m$r"
    end=$(now)
    t=$(elapsed "$start" "$end")
    miniweb_total=$(awk -v a="$miniweb_total" -v b="$t" 'BEGIN { print a + b }')
    start=$(now)
    order "https://127.0.0.1:$PEBBLE_PORT/dir" pebble.test "p$r.acme.test" "$WORK/lego-p$r"
    end=$(now)
    t=$(elapsed "$start" "$end")
    pebble_total=$(awk -v a="$pebble_total" -v b="$t" 'BEGIN { print a + b }')
  done

  echo
  echo "== issuing $N certificates (one process each, P-256 key made per certificate) =="
  awk -v n="$N" -v m="$miniweb_issue" -v o="$openssl_issue" 'BEGIN {
    printf "  miniweb-ca issue        %8.2f s  %8.1f certificates/s\n", m, n / m
    printf "  openssl req + x509     %8.2f s  %8.1f certificates/s\n", o, n / o
    printf "  ratio (openssl / miniweb time) %.2f\n", o / m }'
  echo "== one ACME order with lego (account, order, http-01 over the stack DNS, finalize, download), mean of $RUNS =="
  awk -v r="$RUNS" -v m="$miniweb_total" -v p="$pebble_total" 'BEGIN {
    printf "  miniweb-ca serve       %8.3f s per order\n", m / r
    printf "  pebble                 %8.3f s per order\n", p / r
    printf "  ratio (pebble / miniweb time) %.2f\n", p / m }'
}

for i in 1 2 3 10; do
  if ss -lntuH "src $NET.$i" 2>/dev/null | grep -q .; then die "$NET.$i is in use"; fi
done
measure
