#!/usr/bin/env bash
# The soak (issue 19): the whole demo internet, up for MINUTES (default 10) under mixed traffic
# at once, while a shop backend and the CA are killed (SIGKILL) and started again now and then:
#   - page loads through the browser (miniweb-browser --dump, direct and through the proxy);
#   - curl on the web servers, HTTPS and HTTP: the static site, the shop behind its reverse
#     proxies (load-balanced backends), the CA's CRL, CONNECT tunnels and an absolute-form
#     request through the forward proxy;
#   - wrk bursts on the static site and the shop, HTTPS and HTTP;
#   - dnsperf on the resolver, its cache flushed before each burst;
#   - ACME orders with lego against the stack's CA, one after another.
# Every few seconds it samples each server's memory (RSS), open descriptors (/proc/PID/fd) and
# threads into $WORK/samples.csv, and at the end prints them (first half, second half, growth)
# with every kind of traffic's requests and failures. It fails when, over the second half, any
# server's memory, descriptors or threads grow by more than 5%, or any request outside a kill
# window fails (report.py says how both are measured).
#   bench/soak/run.sh [MINUTES]       (default 10; ./miniweb bench soak runs the default)
#   SOAK_KEEP=1 bench/soak/run.sh 2   keeps the work folder (samples, requests, logs) and says where
# It brings up a demo internet of its own (127.82.0.*, ports 5382/8482/8082, Release programs in
# build/bench-soak) and takes the shared build lock itself for the build and the whole run.
set -euo pipefail

if [[ -z ${MINIWEB_BENCH_LOCKED:-} ]]; then
  MINIWEB_BENCH_LOCKED=1 exec flock /tmp/miniweb-build.lock "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
# shellcheck source=bench/goals.sh
source "$ROOT/bench/goals.sh"
MINUTES=${1:-10}
if [[ ! $MINUTES =~ ^[0-9]+$ ]] || ((MINUTES < 1)); then
  echo "usage: bench/soak/run.sh [MINUTES]" >&2
  exit 2
fi
SAMPLE_SECONDS=2
# A killed service's window: from the kill until it answers again, plus this grace (the
# reverse proxy's fail_timeout is 10 s, but it tries the next backend at once meanwhile).
GRACE_SECONDS=5
BACKEND=shop-backend-2
WORK=$(mktemp -d /tmp/miniweb-bench-soak.XXXXXX)
# shellcheck source=bench/bench_common.sh
source "$ROOT/bench/bench_common.sh"
need curl curl
need dig bind9-dnsutils
need wrk wrk
need dnsperf dnsperf
need lego lego
PYTHON=/usr/bin/python3

build_release soak "${STACK_PROGRAMS[@]}"

STATE="$WORK/state"
NET=127.82.0 DNS_PORT=5382 HTTPS_PORT=8482 HTTP_PORT=8082
export MINIWEB_STATE="$STATE" MINIWEB_NET=$NET MINIWEB_BIN_DIR="$BUILD" MINIWEB_NAMESPACE=0
export MINIWEB_DNS_PORT=$DNS_PORT MINIWEB_HTTPS_PORT=$HTTPS_PORT MINIWEB_HTTP_PORT=$HTTP_PORT
DNS_BIN="$BUILD/dns/miniweb-dns"
finish() {
  "$ROOT/miniweb" down >/dev/null 2>&1 || true
  if [[ -n ${SOAK_KEEP:-} ]]; then
    echo "bench/soak: the run's samples, requests and logs are in $WORK"
    WORK=/nonexistent-soak-work  # cleanup removes nothing
  fi
  cleanup
}
trap finish EXIT
"$ROOT/miniweb" up >/dev/null
browse_browser="" browse_options=""
# shellcheck source=/dev/null
source "$STATE/run/browse.sh"
eval "BROWSER=(\"\$browse_browser\" $browse_options)"  # the options: quoted words
BROWSER+=(--download-dir "$STATE/downloads")

# ------------------------------------------------------------ kill and restart ----

# The launcher starts and stops the whole stack, not one service: a service is killed here and
# started again with its own command line (from /proc), in its own folder, with its log and pid
# file where the launcher keeps them, so that `./miniweb down` stops the new process.
restart_service() {  # restart_service NAME: SIGKILL, then the same command line again
  local name=$1 pid cwd arguments=()
  pid=$(<"$STATE/run/$name.pid")
  mapfile -d '' arguments <"/proc/$pid/cmdline"
  cwd=$(readlink "/proc/$pid/cwd")
  kill -KILL "$pid"
  # Gone, or a zombie (a process this script started and has not reaped yet).
  while [[ -d /proc/$pid && $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) != Z ]]; do sleep 0.05; done
  (
    cd "$cwd"
    # The build lock's descriptor (flock's, inherited) must not stay open in the service.
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
    done
    exec setsid "${arguments[@]}" >>"$STATE/logs/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$STATE/run/$name.pid"
  disown $!  # killed later on purpose: no "Killed" notice from this shell
}

# The question `up` asks a service to know it is ready (plan.sh's `ready` line): an HTTP or
# HTTPS answer; a TCP connection for any other kind.
service_answers() {  # service_answers NAME
  local name=$1 check="" arguments=() where
  ready() {
    [[ $1 == "$name" ]] || return 0
    check=$3
    arguments=("${@:4}")
  }
  eval "$(grep '^ready ' "$STATE/plan.sh")"
  case $check in
    http) curl -sS -o /dev/null --max-time 2 "${arguments[0]}" ;;
    https)
      curl -sS -o /dev/null --max-time 2 --cacert "$STATE/ca/root.pem" \
        --resolve "${arguments[0]}:$HTTPS_PORT:${arguments[1]}" "https://${arguments[0]}:$HTTPS_PORT/"
      ;;
    *)
      read -r _ where <"$STATE/run/$name.service"
      where=${where##* }
      timeout 2 bash -c "exec 3<>/dev/tcp/${where%:*}/${where##*:}"
      ;;
  esac
}

# Kills at set fractions of the run, the backend and the CA in turn, the last ones early enough
# that the process each leaves running still has a stretch of the second half to be judged on.
# Each line of kills.csv: service, the kill, when it answered again (or "never").
KILL_SCHEDULE=("0.15 $BACKEND" "0.25 ca" "0.40 $BACKEND" "0.50 ca" "0.60 $BACKEND" "0.70 ca")
KILLS=${#KILL_SCHEDULE[@]}
kill_loop() {  # kill_loop START DURATION OUT
  local start=$1 duration=$2 out=$3 fraction name at killed deadline
  echo "service,killed,answered" >"$out"
  for entry in "${KILL_SCHEDULE[@]}"; do
    read -r fraction name <<<"$entry"
    at=$(awk -v s="$start" -v d="$duration" -v f="$fraction" 'BEGIN { printf "%.3f", s + d * f }')
    sleep "$(awk -v at="$at" -v now="$EPOCHREALTIME" 'BEGIN { d = at - now; printf "%.3f", (d > 0 ? d : 0) }')"
    killed=$EPOCHREALTIME
    restart_service "$name"
    deadline=$((${EPOCHREALTIME%.*} + 30))
    until service_answers "$name" >/dev/null 2>&1; do
      ((${EPOCHREALTIME%.*} < deadline)) || break
      sleep 0.1
    done
    if service_answers "$name" >/dev/null 2>&1; then
      echo "$name,$killed,$EPOCHREALTIME" >>"$out"
    else
      echo "$name,$killed,never" >>"$out"
    fi
  done
}

# ------------------------------------------------------------------------ run ----

# shellcheck source=bench/soak/traffic.sh
source "$ROOT/bench/soak/traffic.sh"
DURATION=$((MINUTES * 60))
START=${EPOCHREALTIME%.*}
END=$((START + DURATION))
mkdir -p "$WORK/requests" "$WORK/lego"
LOOPS=(curl browser wrk dnsperf lego)
for loop in "${LOOPS[@]}"; do : >"$WORK/requests/$loop.csv"; done  # a silent loop shows
echo "bench/soak: $MINUTES minute(s) of mixed traffic on $NET.*, $BACKEND and the CA killed 3 times each"
"$PYTHON" "$ROOT/bench/soak/sample.py" "$STATE" "$WORK/samples.csv" "$SAMPLE_SECONDS" "$END" &
PIDS+=($!)
for loop in "${LOOPS[@]}"; do
  (
    set +e  # a client's failure is a record, never the end of its loop
    "${loop}_loop" "$WORK/requests/$loop.csv"
  ) &
  PIDS+=($!)
done
kill_loop "$START" "$DURATION" "$WORK/kills.csv" &
PIDS+=($!)
for pid in "${PIDS[@]}"; do
  wait "$pid" || echo "bench/soak: a loop of the run ended with status $? (the report says what is missing)" >&2
done
PIDS=()

# The verdict: report.py prints the tables and then one line per goal, "goal LABEL VALUE OP
# TARGET UNIT", which `goal` prints and records; any missed goal fails the bench.
report=$("$PYTHON" "$ROOT/bench/soak/report.py" --samples "$WORK/samples.csv" \
  --requests "$WORK/requests" --kills "$WORK/kills.csv" --start "$START" --end "$END" \
  --grace "$GRACE_SECONDS" --interval "$SAMPLE_SECONDS" --expected-kills "$KILLS")
grep -v '^goal	' <<<"$report"
missed=0
while IFS=$'\t' read -r _ label value op target unit; do
  line=$(goal "$label" "$value" "$op" "$target" "$unit")
  echo "$line"
  [[ $line == *MISSED ]] && missed=1
done < <(grep '^goal	' <<<"$report")
exit "$missed"
