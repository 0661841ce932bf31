#!/usr/bin/env bash
# Parse + layout of large real HTML beside w3m -dump and lynx -dump, in one run, with the
# ratio; then a full page load on the demo internet, cold and warm, broken down by step.
#   bench/browser/run.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
RUNS="${1:-5}"
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1

need=()
for package in w3m lynx python3.11-doc nodejs-doc libstdc++-12-doc; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
if ((${#need[@]})); then
  [[ $(id -u) -eq 0 ]] && sudo= || sudo=sudo
  quietly "installing ${need[*]}" env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

BUILD="$ROOT/build/bench-browser"
[[ -f "$BUILD/CMakeCache.txt" ]] ||
  quietly "configuring" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_TESTS=OFF
quietly "building" cmake --build "$BUILD" -j2 --target miniweb-browser miniweb-dns miniweb-ca miniweb-server miniweb-shop miniweb-stack
BROWSER="$BUILD/browser/miniweb-browser"

# The best of RUNS wall-clock times of a command, in milliseconds.
best_ms() {
  local best=999999999 start end elapsed
  for ((i = 0; i < RUNS; i++)); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    elapsed=$(((end - start) / 1000000))
    ((elapsed < best)) && best=$elapsed
  done
  echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "inf" }'; }

printf '%-44s %9s %9s %9s %12s %12s\n' "document" "miniweb" "w3m" "lynx" "w3m/miniweb" "lynx/miniweb"
# The largest Doxygen page of the libstdc++ API manual (3.7 MB): the kind of page the issue's
# own figure for w3m was measured on.
doxygen=$(find /usr/share/doc/gcc-12-base/libstdc++/user -name '*.html' -printf '%s %p\n' 2>/dev/null |
  sort -rn | awk 'NR == 1 { print $2 }')
for file in /usr/share/doc/nodejs/api/all.html ${doxygen:-} /usr/share/doc/python3.11/html/genindex-all.html \
            /usr/share/doc/python3.11/html/library/stdtypes.html; do
  [[ -f "$file" ]] || continue
  ours=$(best_ms "$BROWSER" --dump "$file")
  w3m=$(best_ms w3m -dump -cols 80 -T text/html "$file")
  lynx=$(best_ms lynx -dump -width=80 -force_html "$file")
  label="$(basename "$file") ($(($(stat -c %s "$file") / 1024)) KiB)"
  printf '%-44s %7s ms %6s ms %6s ms %12s %12s\n' "$label" "$ours" "$w3m" "$lynx" "$(ratio "$ours" "$w3m")" \
    "$(ratio "$ours" "$lynx")"
done
echo "(best of $RUNS runs; ratios above 1 mean miniweb is faster)"

# A full page load on a demo internet of the bench's own, cold (fresh profile) and warm.
STATE=$(mktemp -d)
export MINIWEB_STATE="$STATE" MINIWEB_NET=127.77.0 MINIWEB_BIN_DIR="$BUILD"
export MINIWEB_DNS_PORT=5399 MINIWEB_HTTPS_PORT=8499 MINIWEB_HTTP_PORT=8099
trap '"$ROOT/miniweb" down; rm -rf "$STATE"' EXIT
"$ROOT/miniweb" up >/dev/null
echo
echo "full load of https://www.example.test/, cold (no browser cache, resolver cache cold):"
"$ROOT/miniweb" browse --dump --trace https://www.example.test/ 2>&1 >/dev/null | sed -n '/^\* waterfall/,$p'
echo "warm (on-disk DNS cache, resolver cache warm):"
"$ROOT/miniweb" browse --dump --trace https://www.example.test/ 2>&1 >/dev/null | sed -n '/^\* waterfall/,$p'

# The packet view's cost: the same load (fresh browser profile, warm resolver) with and
# without --packets, which captures lo, samples the kernel's states and draws the ladder.
echo
plain=$(best_ms "$ROOT/miniweb" browse --dump --fresh https://www.example.test/)
packets=$(best_ms "$ROOT/miniweb" browse --dump --fresh --packets https://www.example.test/)
printf '%-44s %9s %9s %12s\n' "page load, --fresh" "plain" "--packets" "plain/packets"
printf '%-44s %7s ms %7s ms %12s\n' "https://www.example.test/" "$plain" "$packets" "$(ratio "$packets" "$plain")"
echo "(best of $RUNS runs; the ratio is the share of time left with the packet view on)"

# The peer: tcpdump in immediate mode, opening lo, taking one datagram, closing. Most of the
# packet view's cost is this fixed cost of an AF_PACKET capture (the kernel's ring set up and
# released, each waiting for an RCU grace period), which tcpdump pays the same.
tcpdump_once() {
  local err
  err=$(mktemp)
  tcpdump -i lo -n --immediate-mode -c 1 'udp and host 127.77.0.254 and port 9' >/dev/null 2>"$err" &
  local pid=$!
  until grep -q listening "$err" 2>/dev/null; do sleep 0.001; done
  echo x >/dev/udp/127.77.0.254/9 || true
  wait "$pid"
  rm -f "$err"
}
peer=$(best_ms tcpdump_once)
overhead=$((packets - plain))
printf '%-44s %7s ms %7s ms %12s\n' "capture cost: --packets overhead, tcpdump" "$overhead" "$peer" \
  "$(ratio "$overhead" "$peer")"
echo "(tcpdump -c 1 --immediate-mode on lo: start, one packet, exit; ratio above 1: ours costs less)"
