#!/usr/bin/env bash
# Makes the golden captures the packet decoders' tests read (tests/browser/packets_*_test.cpp):
# real exchanges on the loopback interface between real tools, captured with tcpdump. Run from
# the repository's root after building miniweb-dns (build/test), as root (tcpdump captures):
#   tests/browser/packets_data/make_captures.sh [BUILD_DIR]
# The files are checked in; the tests assert what `tcpdump -r FILE -nn -v` and `tshark -r FILE
# -V` say about them, so a file made again needs its test's numbers read again from those tools.
set -euo pipefail

build=${1:-build/test}
out=$(cd "$(dirname "$0")" && pwd)
data=$(pwd)/tests/dns/data
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts tcpdump with the given arguments and waits until it listens. Immediate mode: with
# TPACKET_V3, packets still in the kernel's block when SIGINT comes are otherwise lost.
capture_start() {
  tcpdump --immediate-mode -U "$@" 2>"$work/tcpdump.err" &
  capture_pid=$!
  for _ in $(seq 50); do
    grep -q listening "$work/tcpdump.err" && return
    sleep 0.1
  done
  echo "tcpdump did not start: $(cat "$work/tcpdump.err")" >&2
  exit 1
}
capture_stop() {
  sleep 0.3
  kill -INT "$capture_pid"
  wait "$capture_pid" || true
  if ! grep -q "^[1-9][0-9]* packets\? captured" "$work/tcpdump.err"; then
    echo "tcpdump captured nothing: $(cat "$work/tcpdump.err")" >&2
    exit 1
  fi
}
# Waits until something listens on TCP port $1.
wait_port() {
  for _ in $(seq 100); do
    ss -ltn | grep -q ":$1 " && return
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  exit 1
}

# --- DNS: a root server (referrals) and the example.test server (answers), over UDP and TCP.
root_port=53531
leaf_port=53532
"$build/dns/miniweb-dns" auth --listen 127.0.0.1:$root_port --zone "$data/root.zone" \
  2>"$work/root.log" &
pids+=($!)
"$build/dns/miniweb-dns" auth --listen 127.0.0.1:$leaf_port --zone "$data/example.test.zone" \
  2>"$work/leaf.log" &
pids+=($!)
"$build/dns/miniweb-dns" auth --listen "[::1]:$leaf_port" --zone "$data/example.test.zone" \
  2>"$work/leaf6.log" &
pids+=($!)
wait_port $root_port
wait_port $leaf_port

capture_start -i lo -w "$out/dns_udp.pcap" "udp and (port $root_port or port $leaf_port)"
dig @127.0.0.1 -p $leaf_port +norecurse www.example.test A >/dev/null
dig @127.0.0.1 -p $leaf_port +norecurse chain.example.test A >/dev/null
dig @127.0.0.1 -p $leaf_port +norecurse nothere.example.test A >/dev/null
dig @127.0.0.1 -p $root_port +norecurse www.example.test A >/dev/null
capture_stop

capture_start -i lo -w "$out/dns_tcp_ipv6.pcap" "tcp and port $leaf_port"
dig @::1 -p $leaf_port +tcp +norecurse www.example.test AAAA >/dev/null
capture_stop

# The "any" pseudo-interface: LINUX_SLL2 by default, LINUX_SLL when asked for.
capture_start -i any -w "$out/dns_any_sll2.pcap" "udp and port $leaf_port"
dig @127.0.0.1 -p $leaf_port +norecurse mail.example.test A >/dev/null
capture_stop
capture_start -i any -y LINUX_SLL -w "$out/dns_any_sll.pcap" "udp and port $leaf_port"
dig @127.0.0.1 -p $leaf_port +norecurse mail.example.test A >/dev/null
capture_stop

# --- TLS: curl against openssl s_server, TLS 1.3 and TLS 1.2, with curl's key log.
tls_port=44333
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj /CN=site.test -addext subjectAltName=DNS:site.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
printf 'hello from s_server\n' >"$work/hello.txt"
(cd "$work" && exec openssl s_server -quiet -accept $tls_port -cert cert.pem -key key.pem -WWW) \
  >/dev/null 2>&1 </dev/null &
pids+=($!)
wait_port $tls_port
for version in 1.3 1.2; do
  name=tls${version/./}_curl
  rm -f "$out/$name.keys"
  capture_start -i lo -w "$out/$name.pcap" "tcp and port $tls_port"
  SSLKEYLOGFILE="$out/$name.keys" curl -sk --http1.1 --tls-max $version \
    --resolve site.test:$tls_port:127.0.0.1 "https://site.test:$tls_port/hello.txt" >/dev/null
  capture_stop
done

# --- Plain HTTP/1.1: two requests on one kept-alive connection (a file, then a 404).
http_port=48080
printf 'hello over http\n' >"$work/hello.txt"
(cd "$work" && exec python3 -c '
import http.server, sys
http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, protocol="HTTP/1.1",
                 port=int(sys.argv[1]), bind="127.0.0.1")
' $http_port) >/dev/null 2>&1 </dev/null &
pids+=($!)
wait_port $http_port
capture_start -i lo -w "$out/http_keepalive.pcap" "tcp and port $http_port"
curl -s "http://127.0.0.1:$http_port/hello.txt" "http://127.0.0.1:$http_port/missing" >/dev/null
capture_stop

ls -l "$out"
