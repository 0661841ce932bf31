#!/usr/bin/env bash
# A whole page load as a person waits for it: `./miniweb browse --dump https://www.example.test/`
# (the launcher, the browser's start, DNS, TCP, TLS with the certificate verified and its
# revocation checked, HTTP/2, the parse, the layout, the dump) beside `curl | w3m -dump` on the
# same page, warm and cold, with hyperfine (medians of RUNS runs taken in turns over four
# rounds, bench/rounds.sh; ratios above 1: miniweb is faster). Then the browser's own clock: the
# trace's total, warm and cold, and how much of it its steps account for. Beside both, the floor
# OpenSSL sets: miniweb-tls-floor (bench/pageload/tls_floor.cpp), a bare client with no miniweb
# code, whose context, handshake and one HTTP/1.1 GET are the least any client linked against
# the same OpenSSL waits for this page, with a full handshake and resuming a session its last
# run kept, as the browser's warm load resumes one; and under a cold load's DNS, miniweb-resolution-floor
# (bench/pageload/resolution_floor.cpp): the four UDP exchanges of a resolution from empty
# caches (the resolver's hop, then the root, test. and example.test. servers in turn), made by
# a bare client with no parsing, caching or choosing of servers.
#   bench/pageload/run.sh [RUNS]      (default 40)
# It brings up a demo internet of its own (127.81.0.*, ports 5381/8481/8081, Release programs
# in build/bench-pageload) and takes the shared build lock itself for the build and the runs.
set -euo pipefail

if [[ -z ${MINIWEB_BENCH_LOCKED:-} ]]; then
  MINIWEB_BENCH_LOCKED=1 exec flock /tmp/miniweb-build.lock "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
# shellcheck source=bench/goals.sh
source "$ROOT/bench/goals.sh"
# shellcheck source=bench/rounds.sh
source "$ROOT/bench/rounds.sh"
RUNS=${1:-40}
WORK=$(mktemp -d /tmp/miniweb-bench-pageload.XXXXXX)
# shellcheck source=bench/bench_common.sh
source "$ROOT/bench/bench_common.sh"
need hyperfine hyperfine
need w3m w3m
need curl curl

build_release pageload "${STACK_PROGRAMS[@]}" miniweb-tls-floor miniweb-resolution-floor miniweb-page-costs \
  miniweb-host-costs \
  miniweb-gumbo-floor

STATE="$WORK/state"
export MINIWEB_STATE="$STATE" MINIWEB_NET=127.81.0 MINIWEB_BIN_DIR="$BUILD" MINIWEB_NAMESPACE=0
export MINIWEB_DNS_PORT=5381 MINIWEB_HTTPS_PORT=8481 MINIWEB_HTTP_PORT=8081
trap '"$ROOT/miniweb" down >/dev/null 2>&1 || true; cleanup' EXIT
"$ROOT/miniweb" up >/dev/null

URL=https://www.example.test/
OURS=("$ROOT/miniweb" browse --dump "$URL")
# The peer as a shell runs it (dash, the cheapest shell to start): curl has no cache of any
# kind, and --resolve hands it the address, so it asks no DNS question, warm or cold.
PEER="curl -s --cacert $STATE/ca/root.pem --resolve www.example.test:$MINIWEB_HTTPS_PORT:$MINIWEB_NET.10 https://www.example.test:$MINIWEB_HTTPS_PORT/ | w3m -dump -T text/html"
# The resolver forgets everything between cold runs: the command `./miniweb flush` runs, on the
# control channel plan.sh names, without the launcher's bash around it. That bash is 14 ms of
# one CPU's work in which the other idles, and a load begun right after it here took 0.4 to 0.5
# ms longer by its own clock (an idle virtual CPU is slow to wake and to run again), which the
# warm runs, back to back with nothing between them, do not pay. Its figure is printed beside.
# The plan's `resolver` line names it (RESOLVER_ADDRESS CONTROL_SOCKET), read with the plan's
# own quoting, as bench/soak reads its `ready` lines.
resolver_control=""
# shellcheck disable=SC2317  # called by the plan's line, through eval
resolver() { resolver_control=${2:-}; }
eval "$(grep '^resolver ' "$STATE/plan.sh")"
unset -f resolver
[[ -S $resolver_control ]] || { echo "bench/pageload: no resolver control channel in $STATE/plan.sh" >&2; exit 1; }
FLUSH="$BUILD/dns/miniweb-dns control --socket $resolver_control flush_all"
LAUNCHER_FLUSH="$ROOT/miniweb flush"
# The browser binary alone, with the launcher's exact arguments (from the file `up` wrote).
browse_browser="" browse_options=""
# shellcheck source=/dev/null
source "$STATE/run/browse.sh"
eval "browse_program=(\"\$browse_browser\" $browse_options)"  # the options: quoted words
BARE="${browse_program[*]} --download-dir $STATE/downloads --dump $URL"
TLS_FLOOR="$BUILD/browser/miniweb-tls-floor $MINIWEB_NET.10 $MINIWEB_HTTPS_PORT www.example.test $STATE/ca/root.pem"
# The floor behind the least a launcher can be: a sh script that does nothing but exec it. Its
# ratio is the most any client started through a script, as `./miniweb browse` is, could reach
# here, before a DNS question, HTTP/2, a revocation check or a parse.
printf '#!/bin/sh\nexec %s\n' "$TLS_FLOOR" >"$WORK/floor-launcher.sh"
chmod +x "$WORK/floor-launcher.sh"
# The browser itself through such a script: the least a launcher script of it can cost, beside
# which the launcher's own work (reading the file `up` wrote, its checks) shows.
printf '#!/bin/sh\nexec %s\n' "$BARE" >"$WORK/browser-launcher.sh"
chmod +x "$WORK/browser-launcher.sh"
# The floor under a load that resumes a TLS session kept between runs, as the browser's warm
# load does from its profile: the same bare client, offering the session its last run kept in a
# file (no certificate sent or verified), and keeping the server's newest one there.
TLS_FLOOR_RESUMING="$TLS_FLOOR --session $WORK/floor-session.pem"
# The servers a resolution of the page's name walks, in order, as the stack's own iterator
# finds them from the root hints; the resolution floor asks the resolver first, for the name it
# holds by then (a hit: the least its hop costs), then each of them. (The trace's first step,
# the root's priming, ". NS", is not a step of the walk: left out.)
mapfile -t walked < <("$BUILD/dns/miniweb-dns" query --trace --root-hints "$STATE/dns/root.hints" \
  --upstream-port "$MINIWEB_DNS_PORT" www.example.test A |
  sed -nE '/ for \. NS$/!s/^; ask [^ ]+ \(([0-9.]+:[0-9]+)\).*/\1/p')
[[ ${#walked[@]} -ge 3 ]] || { echo "bench/pageload: cannot find the servers under www.example.test" >&2; exit 1; }
RESOLUTION_FLOOR="$BUILD/browser/miniweb-resolution-floor www.example.test $MINIWEB_NET.53:$MINIWEB_DNS_PORT/rd ${walked[*]}"

# Both get the real page, every time (the browser has no HTTP cache; --fresh empties the rest).
title="Welcome to www.example.test"
"${OURS[@]}" | grep -q "$title" || { echo "bench/pageload: miniweb did not show $URL" >&2; exit 1; }
sh -c "$PEER" | grep -q "$title" || { echo "bench/pageload: curl | w3m did not show $URL" >&2; exit 1; }
# The page as the server sends it, for gumbo's parse alone (miniweb-gumbo-floor).
sh -c "${PEER%% | w3m*}" >"$WORK/page.html"
GUMBO_FLOOR="$BUILD/browser/miniweb-gumbo-floor $WORK/page.html"
$TLS_FLOOR | grep -q '^context .* bytes [1-9]' || { echo "bench/pageload: miniweb-tls-floor failed" >&2; exit 1; }
$TLS_FLOOR_RESUMING >/dev/null  # its first session
$TLS_FLOOR_RESUMING | grep -q ' resumed 1$' || { echo "bench/pageload: miniweb-tls-floor did not resume" >&2; exit 1; }

ratio() { awk -v ours="$1" -v peer="$2" 'BEGIN { printf "%.2f", peer / ours }'; }

# hyperfine -N: no shell around our commands; the peer's pipeline runs in sh -c, as a user's.
# The commands take turns over ROUNDS hyperfine rounds of RUNS/ROUNDS runs (bench/rounds.sh).
ROUNDS=4
# What a page costs here, which decides whether the browser maps its code and heap ahead
# (shared/prefault.hpp), and moves the peer's time (curl | w3m fault far more than we do).
echo "this machine, as the browser measures it (miniweb-page-costs): $("$BUILD/browser/miniweb-page-costs")"
# What every process and every hand-off between threads costs here, whatever the program: under
# the whole-process floors (a launcher script is one more empty process) and the trace's.
host_costs=$("$BUILD/browser/miniweb-host-costs") ||
  { echo "bench/pageload: miniweb-host-costs failed" >&2; exit 1; }
echo "this machine, for any program (miniweb-host-costs): $host_costs"
echo "whole-process page load of $URL, medians of $RUNS runs in turns over $ROUNDS hyperfine rounds"
PER_ROUND=$(((RUNS + ROUNDS - 1) / ROUNDS))
mapfile -t warm < <(pooled_medians "$WORK/warm" "$ROUNDS" -w 2 -r "$PER_ROUND" "${OURS[*]}" \
  "sh -c '$PEER'" "$BARE" "$TLS_FLOOR" "$WORK/floor-launcher.sh" "$TLS_FLOOR_RESUMING" \
  "$WORK/browser-launcher.sh")
warm_ours=${warm[0]} warm_peer=${warm[1]} warm_bare=${warm[2]} warm_floor=${warm[3]}
warm_floor_launched=${warm[4]} warm_floor_resuming=${warm[5]} warm_bare_launched=${warm[6]}
# Cold: before every run the resolver forgets everything (FLUSH, above; not timed), and the
# browser starts with --fresh (no DNS cache, HSTS list or CRL of its profile; revocation is
# answered by the OCSP response the server staples, as in the warm runs); so the browser's DNS
# question is answered from the root down. The peer's cold run is
# the same command as its warm one: it keeps nothing between runs.
mapfile -t cold < <(pooled_medians "$WORK/cold" "$ROUNDS" -w 1 -r "$PER_ROUND" --prepare "$FLUSH" \
  "$ROOT/miniweb browse --dump --fresh $URL" "sh -c '$PEER'")
cold_ours=${cold[0]} cold_peer=${cold[1]}

printf '%-58s %10s %10s %8s\n' "" "miniweb" "curl|w3m" "ratio"
printf '%-58s %7s ms %7s ms %8s\n' "warm: ./miniweb browse --dump" "$warm_ours" "$warm_peer" \
  "$(ratio "$warm_ours" "$warm_peer")"
printf '%-58s %7s ms %7s ms %8s\n' "cold: resolver flushed, browse --dump --fresh" "$cold_ours" \
  "$cold_peer" "$(ratio "$cold_ours" "$cold_peer")"
printf '%-58s %7s ms\n' "warm: miniweb-browser alone (no launcher)" "$warm_bare"
printf '%-58s %7s ms %7s ms %8s\n' "warm: miniweb-browser through a script that only execs it" \
  "$warm_bare_launched" "$warm_peer" "$(ratio "$warm_bare_launched" "$warm_peer")"
printf '%-58s %7s ms   (a script that only execs it: %s ms)\n' \
  "the launcher's own cost (warm, ./miniweb - binary alone)" \
  "$(awk -v a="$warm_ours" -v b="$warm_bare" 'BEGIN { printf "%.2f", a - b }')" \
  "$(awk -v a="$warm_bare_launched" -v b="$warm_bare" 'BEGIN { printf "%.2f", a - b }')"
printf '%-58s %7s ms %7s ms %8s\n' "warm: OpenSSL floor, miniweb-tls-floor (no DNS or parse)" \
  "$warm_floor" "$warm_peer" "$(ratio "$warm_floor" "$warm_peer")"
printf '%-58s %7s ms %7s ms %8s\n' "warm: the floor through a script that only execs it" \
  "$warm_floor_launched" "$warm_peer" "$(ratio "$warm_floor_launched" "$warm_peer")"
printf '%-58s %7s ms %7s ms %8s\n' "warm: the floor resuming a session its last run kept" \
  "$warm_floor_resuming" "$warm_peer" "$(ratio "$warm_floor_resuming" "$warm_peer")"
echo "(ratio: curl|w3m's median / miniweb's; cold for curl|w3m is its warm command again;"
echo " the floor's ratio is the most any client on this OpenSSL could reach, before a launcher,"
echo " a DNS question or a parse; through a script, the most a client started by one could reach)"
goal "page load warm, curl|w3m / miniweb browse --dump" "$(ratio "$warm_ours" "$warm_peer")" ">=" 2.00 x
goal "page load cold, curl|w3m / miniweb browse --dump --fresh" "$(ratio "$cold_ours" "$cold_peer")" ">=" 1.50 x

# The browser's own clock: the trace's total and the share of it inside its steps, medians of
# RUNS loads, warm and cold as above.
trace_figures() {  # trace_figures OUT [FLUSH --fresh]: one "TOTAL_MS PERCENT" line per load
  local out=$1 line flush=""
  shift
  if (($#)); then
    flush=$1
    shift
  fi
  : >"$out"
  for ((i = 0; i < RUNS; i++)); do
    [[ -n $flush ]] && $flush >/dev/null
    line=$("$ROOT/miniweb" browse --dump --trace "$@" "$URL" 2>&1 >/dev/null | grep '^\* waterfall')
    # "* waterfall (total 1.234 ms, 97.1% of it in steps)"
    sed -E 's/.*total ([0-9.]+) ms, ([0-9.]+)% .*/\1 \2/' <<<"$line" >>"$out"
  done
}
column_median() {  # column_median FILE COLUMN
  sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
column_min() { sort -n -k"$2","$2" "$1" | awk -v c="$2" 'NR == 1 { printf "%.1f", $c }'; }
trace_figures "$WORK/trace-warm.txt"
trace_figures "$WORK/trace-cold.txt" "$FLUSH" --fresh
trace_figures "$WORK/trace-cold-launcher-flush.txt" "$LAUNCHER_FLUSH" --fresh
# The floor by its own clock, from its main: "context MS handshake MS response MS total MS ...".
for ((i = 0; i < RUNS; i++)); do $TLS_FLOOR --again; done | awk '{ print $2, $4, $6, $8, $12 }' >"$WORK/floor.txt"
for ((i = 0; i < RUNS; i++)); do $TLS_FLOOR_RESUMING; done | awk '{ print $2, $4, $6, $8 }' >"$WORK/floor-resuming.txt"
# gumbo's parse of the page by its own clock, each a process's first parse as a load's is:
# "N children of <html>, parsed in MS ms".
for ((i = 0; i < RUNS; i++)); do $GUMBO_FLOOR; done | awk '{ print $(NF - 1) }' >"$WORK/parse-floor.txt"
# The resolution floor, each run a process of its own as a load is: "exchanges MS... total MS".
for ((i = 0; i < RUNS; i++)); do $RESOLUTION_FLOOR; done | awk '{ print $NF }' >"$WORK/resolution-floor.txt"
echo
echo "the trace's own clock (--trace, loopback, no --packets), medians of $RUNS loads"
printf '%-58s %10s %14s\n' "" "total" "in steps"
printf '%-58s %7s ms %12s %%\n' "warm" "$(column_median "$WORK/trace-warm.txt" 1)" \
  "$(column_median "$WORK/trace-warm.txt" 2)"
printf '%-58s %7s ms %12s %%\n' "cold (resolver flushed, --fresh)" \
  "$(column_median "$WORK/trace-cold.txt" 1)" "$(column_median "$WORK/trace-cold.txt" 2)"
printf '%-58s %7s ms   (the flush before each: ./miniweb flush, bash, as above)\n' \
  "cold, each right after the launcher's flush" "$(column_median "$WORK/trace-cold-launcher-flush.txt" 1)"
printf '%-58s %25s %%\n' "the least share in steps of any one load (a preempted one)" \
  "$(column_min <(cat "$WORK/trace-warm.txt" "$WORK/trace-cold.txt") 2)"
printf '%-58s %7s ms   (context %s, handshake %s, GET %s ms)\n' \
  "the OpenSSL floor by its own clock (miniweb-tls-floor)" "$(column_median "$WORK/floor.txt" 4)" \
  "$(column_median "$WORK/floor.txt" 1)" "$(column_median "$WORK/floor.txt" 2)" \
  "$(column_median "$WORK/floor.txt" 3)"
printf '%-58s %7s ms\n' "its handshake again in the same process (OpenSSL warm)" \
  "$(column_median "$WORK/floor.txt" 5)"
printf '%-58s %7s ms   (context %s, handshake %s, GET %s ms)\n' \
  "the floor resuming a session its last run kept" "$(column_median "$WORK/floor-resuming.txt" 4)" \
  "$(column_median "$WORK/floor-resuming.txt" 1)" "$(column_median "$WORK/floor-resuming.txt" 2)" \
  "$(column_median "$WORK/floor-resuming.txt" 3)"
echo "(a handshake, full or resumed, is the floor under the trace's warm total: no client on this"
echo " OpenSSL, in a process of its own for each load, can finish a load sooner; the browser's"
echo " warm load resumes the session its profile kept, as the last floor does)"
parse_floor=$(column_median "$WORK/parse-floor.txt" 1)
printf '%-58s %7s ms   (%s bytes)\n' "gumbo's parse of the page, own clock (miniweb-gumbo-floor)" \
  "$parse_floor" "$(wc -c <"$WORK/page.html")"
resolution_floor=$(column_median "$WORK/resolution-floor.txt" 1)
printf '%-58s %7s ms   (%s)\n' "a resolution's floor (miniweb-resolution-floor)" "$resolution_floor" \
  "the resolver's hop, then ${walked[*]}"
sum() { awk 'BEGIN { t = 0; for (i = 1; i < ARGC; i++) t += ARGV[i]; printf "%.2f", t }' "$@"; }
warm_floor_total=$(sum "$(column_median "$WORK/floor-resuming.txt" 2)" \
  "$(column_median "$WORK/floor-resuming.txt" 3)" "$parse_floor")
cold_floor=$(sum "$resolution_floor" "$(column_median "$WORK/floor.txt" 2)" \
  "$(column_median "$WORK/floor.txt" 3)" "$parse_floor")
printf '%-58s %7s ms   (goal 1.5)\n' "warm total's floor: resumed handshake + GET + parse" \
  "$warm_floor_total"
printf '%-58s %7s ms   (goal 3.0)\n' "cold total's floor: resolution + handshake + GET + parse" \
  "$cold_floor"
echo "(the least a load's steps can add up to, each a median of $RUNS processes of their own: the"
echo " warm load's resumed handshake and GET, the cold one's resolution exchanges, full handshake"
echo " and GET, then gumbo's parse; before a TCP connection, a layout or a close, which a load"
echo " also makes. A total goal under its floor is out of reach on this machine with these"
echo " libraries, whatever the browser does)"
# The same warm load and its floor after a second in which nothing ran, as a person's first
# load after a pause: the figures above are taken back to back, with the machine's CPUs and
# every server's memory just used. A CPU woken from idle, and pages a server has not touched
# for a while, cost the browser, the servers and the floor alike (a virtual machine's most).
IDLE_RUNS=8
: >"$WORK/trace-idle.txt"
: >"$WORK/floor-idle.txt"
for ((i = 0; i < IDLE_RUNS; i++)); do
  sleep 1
  "$ROOT/miniweb" browse --dump --trace "$URL" 2>&1 >/dev/null | grep '^\* waterfall' |
    sed -E 's/.*total ([0-9.]+) ms.*/\1/' >>"$WORK/trace-idle.txt"
  sleep 1
  $TLS_FLOOR_RESUMING | awk '{ print $4 + $6 }' >>"$WORK/floor-idle.txt"
done
printf '%-58s %7s ms   (its floor, resumed handshake + GET + parse: %s ms)\n' \
  "warm, each after 1 s idle (median of $IDLE_RUNS)" "$(column_median "$WORK/trace-idle.txt" 1)" \
  "$(sum "$(column_median "$WORK/floor-idle.txt" 1)" "$parse_floor")"
echo "a warm load's steps, then a cold one's, one run each:"
"$ROOT/miniweb" browse --dump --trace "$URL" 2>&1 >/dev/null | sed -n '/^\* waterfall/,$p'
$FLUSH >/dev/null
"$ROOT/miniweb" browse --dump --trace --fresh "$URL" 2>&1 >/dev/null | sed -n '/^\* waterfall/,$p'
lower=$(awk -v w="$(column_median "$WORK/trace-warm.txt" 2)" -v c="$(column_median "$WORK/trace-cold.txt" 2)" \
  'BEGIN { print (w < c) ? w : c }')
goal "trace: share of a load inside its steps (median, warm/cold)" "$lower" ">=" 95 %
goal "trace: warm load total" "$(column_median "$WORK/trace-warm.txt" 1)" "<=" 1.5 " ms"
goal "trace: cold load total" "$(column_median "$WORK/trace-cold.txt" 1)" "<=" 3.0 " ms"

# The browser's start, for what every load pays before its first step: a tiny local page.
printf '<title>t</title><p>Hello, <a href="/x">world</a>.\n' >"$WORK/tiny.html"
mapfile -t start < <(pooled_medians "$WORK/start" "$ROUNDS" -w 2 -r "$PER_ROUND" \
  "$BUILD/browser/miniweb-browser --dump $WORK/tiny.html" "w3m -dump -T text/html $WORK/tiny.html")
echo
printf '%-58s %7s ms %7s ms\n' "start: --dump of a tiny local page, miniweb-browser / w3m" \
  "${start[0]}" "${start[1]}"
goal "start: --dump of a tiny local page, miniweb-browser/w3m" "$(ratio "${start[1]}" "${start[0]}")" "<=" 1.00 x
# No window, none of a window's libraries: what the dynamic loader opened for that --dump (the
# window is a program of its own, miniweb-browser-window, which links SDL2).
loaded=$(LD_DEBUG=files "$BUILD/browser/miniweb-browser" --dump "$WORK/tiny.html" 2>&1 >/dev/null |
  grep -o 'file=[^ ]*' | sort -u || true)
window_libraries=$(grep -ciE 'sdl|x11|xcb|wayland|pulse|asound|libgl' <<<"$loaded" || true)
echo "shared objects the dynamic loader opened for it: $(tr '\n' ' ' <<<"${loaded//file=/}")"
goal "start: SDL, X11, Wayland or audio libraries opened by --dump" "$window_libraries" "<=" 0
