#!/usr/bin/env bash
# miniweb-server beside nginx: static files over HTTPS with keep-alive, measured by wrk.
# Both servers get one core (taskset cpu 0) and one worker/thread, the same files and the same
# certificate and the same TLS settings; wrk runs on the other core. Prints, with the ratios to
# nginx:
#   - requests/s, p50/p99 latency and RSS over keep-alive connections (wrk);
#   - new TLS connections per second and server CPU time per connection, with wrk sending
#     "Connection: close" (wrk resumes sessions, TLS 1.3 PSK with ECDHE) and with
#     openssl s_time -new (full handshakes, one connection at a time); CPU time is the servers'
#     utime+stime from /proc before and after;
#   - memory per idle keep-alive TLS connection: BENCH_IDLE (1000) connections opened, one
#     request made on each, RSS growth divided by their number; and how it grows: the same
#     with BENCH_IDLE_MANY (10000) connections, on servers started afresh for it;
#   - HTTP/2 (ALPN h2, the same files, certificate and TLS settings): requests/s, p50/p99
#     latency and RSS with h2load, BENCH_H2_CLIENTS (8) connections each carrying
#     BENCH_H2_STREAMS (32) concurrent streams; the percentiles come from h2load's
#     per-request log, since h2load itself prints only min/max/mean/sd.
# Each throughput measurement lasts BENCH_SECONDS (3 by default) and is made BENCH_REPEAT
# (15) times, miniweb and nginx in turn, so that both meet the same neighbours on this shared
# machine: many short runs rather than a few long ones, since this machine's speed drifts over
# seconds and the shorter a pair of runs, the more alike the conditions its two runs meet. The
# figures shown are the medians. The full handshakes' CPU, whose runs spread more than the
# servers differ, is measured in BENCH_HANDSHAKE_REPEAT (21) runs of BENCH_HANDSHAKE_SECONDS (3)
# in turn. Ends with issue 18's goals (bench/goals.sh).
#
#   bench/server/run.sh                 # builds a Release miniweb-server in build/bench-server
#   MINIWEB_SERVER_BIN=path bench/server/run.sh
#
# It takes the shared build lock itself (builds and benchmarks must not overlap).
set -euo pipefail

if [[ -z ${MINIWEB_BENCH_LOCKED:-} ]]; then
  MINIWEB_BENCH_LOCKED=1 exec flock /tmp/miniweb-build.lock "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
IDLE=${BENCH_IDLE:-1000}
IDLE_MANY=${BENCH_IDLE_MANY:-10000}
REPEAT=${BENCH_REPEAT:-15}
H2_CLIENTS=${BENCH_H2_CLIENTS:-8}
H2_STREAMS=${BENCH_H2_STREAMS:-32}
WORK=$(mktemp -d /tmp/miniweb-bench-server.XXXXXX)
# shellcheck source=bench/bench_common.sh
source "$ROOT/bench/bench_common.sh"
# shellcheck source=bench/goals.sh
source "$ROOT/bench/goals.sh"
need wrk wrk
need h2load nghttp2-client
need nginx nginx
need ss iproute2
need python3 python3
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [[ -z ${MINIWEB_SERVER_BIN:-} ]]; then
  BUILD="$ROOT/build/bench-server"
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    quietly "configuring" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_SANITIZE=OFF -DMINIWEB_PARTS="server;ca"
  fi
  quietly "building" cmake --build "$BUILD" -j2 --target miniweb-server
  MINIWEB_SERVER_BIN="$BUILD/server/miniweb-server"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The same files and certificate for both.
mkdir -p "$WORK/site"
head -c 1024 /dev/urandom | base64 -w 76 | head -c 1024 >"$WORK/site/1k.txt"
head -c 102400 /dev/urandom >"$WORK/site/100k.bin"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench.test \
  -addext subjectAltName=DNS:bench.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

wait_for() {
  local port=$1 tries=0
  until curl -sk -o /dev/null "https://127.0.0.1:$port/1k.txt"; do
    ((++tries > 100)) && { echo "server on port $port did not start" >&2; exit 1; }
    sleep 0.1
  done
}

# start_servers NAME REQUESTS_PER_CONNECTION [CONNECTIONS]: a miniweb-server and an nginx,
# configured alike in $WORK (miniweb-NAME.toml, nginx-NAME/), on cpu 0, each taking up to
# CONNECTIONS (4096) at once; sets MINIWEB_PORT, MINIWEB_PID, NGINX_PORT and NGINX_PID. nginx
# offers h2 by ALPN, as miniweb-server does by default; wrk and openssl offer no ALPN, so they
# speak HTTP/1.1 to both.
start_servers() {
  local name=$1 requests_per_connection=$2 max_connections=${3:-4096}
  MINIWEB_PORT=$(free_port)
  cat >"$WORK/miniweb-$name.toml" <<TOML
[[listener]]
address = "127.0.0.1"
port = $MINIWEB_PORT

[limits]
max_requests_per_connection = $requests_per_connection
max_connections = $max_connections
keepalive_timeout = 75

[[site]]
names = ["bench.test"]
root = "site"
certificate = "cert.pem"
key = "key.pem"
gzip = false
TOML

  NGINX_PORT=$(free_port)
  local nginx_dir="$WORK/nginx-$name"
  mkdir -p "$nginx_dir/logs"
  cat >"$nginx_dir/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $((max_connections + 64));
daemon off;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/logs/error.log warn;
events { worker_connections $max_connections; }
http {
  types { text/plain txt; application/octet-stream bin; }
  access_log /dev/null combined;
  sendfile on;
  # Since nginx 1.19.7 this limits HTTP/2 connections too (http2_max_requests is gone).
  keepalive_requests $requests_per_connection;
  # nginx's default, and miniweb's here: opening 10000 idle connections takes longer than
  # miniweb's default of 15 s, and the first must still be open when the memory is read.
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl http2;
    server_name bench.test;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    # miniweb-server's TLS settings (server/tls_contexts.cpp): its TLS 1.2 suites in server order,
    # OpenSSL's default groups, its TLS 1.3 suites in miniweb's order (shared/tls/cipher_suites.hpp),
    # tickets and OpenSSL's built-in session cache.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_prefer_server_ciphers on;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;
    ssl_session_tickets on;
    ssl_session_cache builtin:20480;
    root $WORK/site;
  }
}
CONF
  # nginx's worker runs as an unprivileged user: it must be able to read the files.
  chmod -R a+rX "$WORK"

  taskset -c 0 "$MINIWEB_SERVER_BIN" --config "$WORK/miniweb-$name.toml" 2>/dev/null &
  MINIWEB_PID=$!
  PIDS+=("$MINIWEB_PID")
  taskset -c 0 "$NGINX" -c "$nginx_dir/nginx.conf" -p "$nginx_dir" -e "$nginx_dir/logs/error.log" 2>/dev/null &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_for "$MINIWEB_PORT"
  wait_for "$NGINX_PORT"
}

stop_servers() {  # the pair start_servers started last
  kill "$MINIWEB_PID" "$NGINX_PID" 2>/dev/null || true
  wait "$MINIWEB_PID" "$NGINX_PID" 2>/dev/null || true
}

median() {  # the median of the numbers given
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {  # A B -> A / B to three decimals, 0 when B is not above 0
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'
}

median_ratio() {  # the median of the ratios given, to two decimals: the goal's figure
  awk -v r="$(median "$@")" 'BEGIN { printf "%.2f", r }'
}

# HTTP/1.1's limit, nginx's default: wrk opens a new connection when a server closes one.
start_servers http1 1000

rss_kib() {  # the server's resident memory; nginx's is its worker's plus its master's
  local pid=$1 total=0 p
  for p in $pid $(pgrep -P "$pid" || true); do total=$((total + $(ps -o rss= -p "$p" 2>/dev/null || echo 0))); done
  echo "$total"
}

# wrk's --latency report in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

measure() {  # name port path pid -> "rps p50 p99 rss errors"
  local port=$2 path=$3 pid=$4 out
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "https://127.0.0.1:$port$path")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errors=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
  # A server that answers errors is not measured: stop rather than print a ratio.
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "$1 answered errors on $path: $out" >&2
    exit 1
  fi
  echo "$rps $p50 $p99 $(rss_kib "$pid") ${errors:-none}"
}

# measure_h2 NAME PORT PATH PID -> "rps p50 p99 rss errors": h2load over HTTP/2. Its own report
# gives requests/s over the run and the status codes; the latencies come from its per-request
# log (start time, status, microseconds from the stream's request to its end), read with the
# nearest-rank percentile.
measure_h2() {
  local name=$1 port=$2 path=$3 pid=$4 out log="$WORK/h2load.log"
  rm -f "$log"  # h2load appends to its log
  out=$(taskset -c 1 h2load -c"$H2_CLIENTS" -m"$H2_STREAMS" -D"$SECONDS_PER_RUN" --log-file="$log" \
    "https://127.0.0.1:$port$path" 2>&1)
  # Without h2, h2load has nothing to measure: it is the protocol that is compared here.
  if ! grep -q '^Application protocol: h2$' <<<"$out"; then
    echo "$name did not agree to h2 by ALPN on $path: $out" >&2
    exit 1
  fi
  if ! awk '/^status codes:/ { exit !($5 + $7 + $9 == 0) }' <<<"$out"; then
    echo "$name answered errors on $path: $out" >&2
    exit 1
  fi
  local rps p50 p99 errors
  # "finished in 10.00s, 52039.67 req/s, 57.07MB/s"
  rps=$(awk '/^finished in/ { print $4 }' <<<"$out")
  read -r p50 p99 < <(cut -f3 "$log" | sort -n | awk '{ d[NR] = $1 }
    function rank(p) { i = int(NR * p / 100); if (i < NR * p / 100) i++; return d[i > 0 ? i : 1] }
    END { printf "%.3f %.3f\n", rank(50) / 1000, rank(99) / 1000 }')
  # "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout"
  errors=$(awk '/^requests:/ && $10 + $12 + $14 > 0 { printf "%s failed, %s errored, %s timed out", $10, $12, $14 }' <<<"$out")
  echo "$rps $p50 $p99 $(rss_kib "$pid") ${errors:-none}"
}

# compare_files MEASURE: both servers measured by MEASURE (measure or measure_h2) on each file,
# REPEAT times in turn; a row each of medians and a row of ratios to nginx. A run's p99 moves by
# a quarter from one run to the next here, more than the servers differ, so the p99's ratio is
# the median of the runs' ratios (each pair met the same neighbours), as bench/dns takes its hit
# latency's. Sets P99_RATIO_1K, the 1 KiB file's p99 ratio.
compare_files() {
  local measure=$1 path run
  local m_rps m_p50 m_p99 m_rss m_err n_rps n_p50 n_p99 n_rss n_err
  printf '%-8s %-8s %12s %10s %10s %10s  %s\n' file server 'requests/s' 'p50 ms' 'p99 ms' 'RSS KiB' "errors (medians of $REPEAT runs)"
  for path in /1k.txt /100k.bin; do
    local -a mr=() mp50=() mp99=() nr=() np50=() np99=() p99_ratios=()
    m_err="" n_err=""
    for ((run = 0; run < REPEAT; ++run)); do
      read -r m_rps m_p50 m_p99 m_rss m_err <<<"$("$measure" miniweb "$MINIWEB_PORT" "$path" "$MINIWEB_PID")"
      read -r n_rps n_p50 n_p99 n_rss n_err <<<"$("$measure" nginx "$NGINX_PORT" "$path" "$NGINX_PID")"
      [[ -n $m_rps && -n $n_rps ]] || exit 1
      mr+=("$m_rps") mp50+=("$m_p50") mp99+=("$m_p99") nr+=("$n_rps") np50+=("$n_p50") np99+=("$n_p99")
      p99_ratios+=("$(ratio "$m_p99" "$n_p99")")
    done
    local p99_ratio
    p99_ratio=$(median_ratio "${p99_ratios[@]}")
    m_rps=$(median "${mr[@]}") m_p50=$(median "${mp50[@]}") m_p99=$(median "${mp99[@]}")
    n_rps=$(median "${nr[@]}") n_p50=$(median "${np50[@]}") n_p99=$(median "${np99[@]}")
    printf '%-8s %-8s %12s %10s %10s %10s  %s\n' "$path" miniweb "$m_rps" "$m_p50" "$m_p99" "$m_rss" "$m_err"
    printf '%-8s %-8s %12s %10s %10s %10s  %s\n' "$path" nginx "$n_rps" "$n_p50" "$n_p99" "$n_rss" "$n_err"
    echo "         p99 of each run, miniweb: ${mp99[*]}; nginx: ${np99[*]}; their ratios: ${p99_ratios[*]}"
    awk -v f="$path" -v mr="$m_rps" -v nr="$n_rps" -v r="$p99_ratio" -v mp="$m_p99" -v np="$n_p99" -v mm="$m_rss" -v nm="$n_rss" \
      'BEGIN { printf "%-8s ratio    requests/s %.2fx nginx, p99 %sx nginx (the median of the runs'"'"' ratios; of the medians %.2fx), RSS %.2fx nginx\n", f, mr / nr, r, (np > 0 ? mp / np : 0), (nm > 0 ? mm / nm : 0) }'
    [[ $path == /1k.txt ]] && P99_RATIO_1K=$p99_ratio
  done
  return 0
}

cpu_ticks() {  # utime + stime of the server (nginx: master and worker), in clock ticks
  local pid=$1 total=0 p
  for p in $pid $(pgrep -P "$pid" || true); do
    total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}
TICK=$(getconf CLK_TCK)

tls_parameters() {  # what a client negotiates, and whether a second connection resumes
  local port=$1 out
  out=$(openssl s_client -connect "127.0.0.1:$port" -servername bench.test -brief </dev/null 2>&1 || true)
  printf '%s, %s, %s' "$(awk -F': ' '/^Protocol version/ { print $2 }' <<<"$out")" \
    "$(awk -F': ' '/^Ciphersuite/ { print $2 }' <<<"$out")" \
    "$(awk -F': ' '/^(Peer|Server) Temp Key/ { print $2 }' <<<"$out")"
}

idle_memory() {  # port pid count -> "rss_before rss_after bytes_per_connection"
  local port=$1 pid=$2 count=$3 before after
  rm -f "$WORK/hold" "$WORK/idle.out"
  mkfifo "$WORK/hold"
  taskset -c 1 python3 "$ROOT/bench/server/idle_connections.py" "$port" /1k.txt "$count" \
    <"$WORK/hold" >"$WORK/idle.out" &
  local client=$!
  exec 7>"$WORK/hold"
  before=$(rss_kib "$pid")
  # The RSS before is read while the client starts; its connections come later.
  local tries=0
  until grep -q '^open' "$WORK/idle.out"; do
    ((++tries > 3000)) && { echo "idle connections to port $port did not open" >&2; exit 1; }
    sleep 0.1
  done
  sleep 1
  after=$(rss_kib "$pid")
  # Every connection must still be open when the memory is read: one that the server closed
  # (its keep-alive timeout, say) would make the figure look better than it is.
  local open
  open=$(ss -Htn state established "( sport = :$port )" | wc -l)
  if ((open < count)); then
    echo "only $open of $count idle connections to port $port were still open" >&2
    exit 1
  fi
  exec 7>&-
  wait "$client" || true
  sleep 1  # the server notices the closes
  echo "$before $after $(((after - before) * 1024 / count))"
}

# compare_idle COUNT: idle_memory on both servers, a row each and the ratio; sets m_per and
# n_per (bytes per connection) and IDLE_PER_RATIO.
compare_idle() {
  local count=$1 m_before m_after n_before n_after
  printf '%-8s %14s %14s %18s\n' server 'RSS before KiB' 'RSS after KiB' 'bytes/connection'
  read -r m_before m_after m_per <<<"$(idle_memory "$MINIWEB_PORT" "$MINIWEB_PID" "$count")"
  read -r n_before n_after n_per <<<"$(idle_memory "$NGINX_PORT" "$NGINX_PID" "$count")"
  [[ -n $m_per && -n $n_per ]] || exit 1
  printf '%-8s %14s %14s %18s\n' miniweb "$m_before" "$m_after" "$m_per" nginx "$n_before" "$n_after" "$n_per"
  IDLE_PER_RATIO=$(awk -v m="$m_per" -v n="$n_per" 'BEGIN { printf "%.2f", (n > 0 ? m / n : 0) }')
  echo "ratio    memory per idle connection ${IDLE_PER_RATIO}x nginx"
}

new_connections() {  # port pid -> "connections/s cpu_us_per_connection" with wrk, Connection: close
  local port=$1 pid=$2 before after out requests rps
  before=$(cpu_ticks "$pid")
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -H "Connection: close" "https://127.0.0.1:$port/1k.txt")
  after=$(cpu_ticks "$pid")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  awk -v r="$rps" -v n="$requests" -v t=$((after - before)) -v hz="$TICK" \
    'BEGIN { printf "%s %.1f\n", r, (n > 0 ? t * 1e6 / hz / n : 0) }'
}

full_handshakes() {  # port pid -> "handshakes/s cpu_us_per_handshake" with openssl s_time -new
  local port=$1 pid=$2 before after out connections
  before=$(cpu_ticks "$pid")
  out=$(taskset -c 1 openssl s_time -connect "127.0.0.1:$port" -new -time "$HANDSHAKE_SECONDS" -www /1k.txt 2>&1)
  after=$(cpu_ticks "$pid")
  connections=$(awk '/connections in .* real seconds/ { print $1 }' <<<"$out")
  awk -v n="${connections:-0}" -v s="$HANDSHAKE_SECONDS" -v t=$((after - before)) -v hz="$TICK" \
    'BEGIN { printf "%.1f %.1f\n", n / s, (n > 0 ? t * 1e6 / hz / n : 0) }'
}

# paired_cpu_runs MEASURE COUNT: MEASURE (new_connections or full_handshakes, each printing
# "rate cpu_us") on miniweb and nginx COUNT times in turn. Sets m_rate, m_cpu, n_rate and n_cpu
# (the medians), m_cpus and n_cpus (each run's CPU) and cpu_ratios (each pair's, miniweb/nginx).
paired_cpu_runs() {
  local measure=$1 count=$2 run rate cpu
  local -a m_rates=() n_rates=()
  m_cpus=() n_cpus=() cpu_ratios=()
  for ((run = 0; run < count; ++run)); do
    read -r rate cpu <<<"$("$measure" "$MINIWEB_PORT" "$MINIWEB_PID")"
    m_rates+=("$rate") m_cpus+=("$cpu")
    read -r rate cpu <<<"$("$measure" "$NGINX_PORT" "$NGINX_PID")"
    n_rates+=("$rate") n_cpus+=("$cpu")
    cpu_ratios+=("$(ratio "${m_cpus[-1]}" "$cpu")")
  done
  m_rate=$(median "${m_rates[@]}") m_cpu=$(median "${m_cpus[@]}")
  n_rate=$(median "${n_rates[@]}") n_cpu=$(median "${n_cpus[@]}")
}

echo "miniweb-server vs nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'): servers on cpu 0, clients on cpu 1"
echo "both: one worker (nginx worker_processes 1; miniweb-server one thread), the same certificate"
echo "(ECDSA P-256) and files; TLS 1.2-1.3 with miniweb's TLS 1.2 and 1.3 suites in server order"
echo "(AES-128-GCM first), OpenSSL's default groups, session tickets on and OpenSSL's built-in session cache;"
echo "HTTP/1.1 up to 1000 requests per connection, keep-alive timeout 75 s; access logs written"
echo "(nginx's to /dev/null, miniweb's to standard error, which is /dev/null)"
echo "TLS as a client sees it: miniweb $(tls_parameters "$MINIWEB_PORT"); nginx $(tls_parameters "$NGINX_PORT")"

echo
echo "idle keep-alive TLS connections: $IDLE opened, one GET /1k.txt on each, then idle"
compare_idle "$IDLE"
IDLE_RATIO=$IDLE_PER_RATIO m_per_few=$m_per n_per_few=$n_per

echo
echo "keep-alive: wrk -t1 -c$CONNECTIONS, ${SECONDS_PER_RUN}s per run"
compare_files measure
H1_P99_RATIO=$P99_RATIO_1K

echo
echo "new TLS connections, one GET /1k.txt each; CPU is the server's utime+stime per connection"
printf '%-34s %-8s %14s %14s\n' client server 'connections/s' 'CPU us/conn'
# Not a goal, but short runs of it move as much as the others: BENCH_RESUMED_REPEAT (5) in turn, and
# the ratio of CPU is the median of the runs' ratios.
paired_cpu_runs new_connections "${BENCH_RESUMED_REPEAT:-5}"
printf '%-34s %-8s %14s %14s\n' "wrk -c$CONNECTIONS Connection: close" miniweb "$m_rate" "$m_cpu" "(resumed)" nginx "$n_rate" "$n_cpu"
echo "         (medians of ${#cpu_ratios[@]} runs) each run's CPU ratio, miniweb/nginx: ${cpu_ratios[*]}"
awk -v mr="$m_rate" -v nr="$n_rate" -v r="$(median_ratio "${cpu_ratios[@]}")" \
  'BEGIN { printf "ratio    connections/s %.2fx nginx, CPU per connection %sx nginx (the median of the runs'"'"' ratios)\n", mr / nr, r }'
# Full handshakes: s_time -new never offers a session, so neither server resumes; both still
# issue their TLS 1.3 tickets (two each, OpenSSL's default), as for any new client. A run's CPU
# per handshake moves by a fifth from one run to the next on a shared machine, more than the two
# servers differ (they spend it alike, in OpenSSL and the kernel), so this measurement is made in
# many short runs in turn, BENCH_HANDSHAKE_REPEAT (21) of BENCH_HANDSHAKE_SECONDS (3) each, and
# its ratio is the median of the runs' ratios, as bench/dns takes its hit latency's.
HANDSHAKE_SECONDS=${BENCH_HANDSHAKE_SECONDS:-3}
paired_cpu_runs full_handshakes "${BENCH_HANDSHAKE_REPEAT:-21}"
printf '%-34s %-8s %14s %14s\n' "openssl s_time -new" miniweb "$m_rate" "$m_cpu" "(full handshakes, 1 at a time)" nginx "$n_rate" "$n_cpu"
echo "         (medians of ${#cpu_ratios[@]} runs) CPU us per handshake of each run, miniweb: ${m_cpus[*]}; nginx: ${n_cpus[*]}"
echo "         each run's ratio, miniweb/nginx: ${cpu_ratios[*]}"
HANDSHAKE_RATIO=$(median_ratio "${cpu_ratios[@]}")
awk -v mr="$m_rate" -v nr="$n_rate" -v mc="$m_cpu" -v nc="$n_cpu" -v r="$HANDSHAKE_RATIO" \
  'BEGIN { printf "ratio    handshakes/s %.2fx nginx, CPU per handshake %sx nginx (the median of the runs'"'"' ratios; of the medians %.2fx)\n", mr / nr, r, (nc > 0 ? mc / nc : 0) }'
stop_servers

# HTTP/2 gets servers of its own, alike but for a request limit per connection no run reaches:
# h2load does not retry the streams a server refuses with GOAWAY when it closes a connection at
# its limit, and it would count them as failed (a browser sends them again on a new connection).
start_servers http2 100000000
echo
echo "HTTP/2 (ALPN h2): h2load -c$H2_CLIENTS -m$H2_STREAMS, $H2_CLIENTS connections of $H2_STREAMS concurrent streams, ${SECONDS_PER_RUN}s per run"
compare_files measure_h2
H2_P99_RATIO=$P99_RATIO_1K
stop_servers

# How memory grows: many idle connections, on servers started afresh (the first run's freed
# memory would otherwise be counted as room for the second).
start_servers idle 1000 $((IDLE_MANY + 1024))
echo
echo "idle keep-alive TLS connections: $IDLE_MANY opened on servers started afresh"
compare_idle "$IDLE_MANY"
IDLE_MANY_RATIO=$IDLE_PER_RATIO
# Linear growth: the cost of a connection among $IDLE_MANY against one among $IDLE.
m_growth=$(awk -v a="$m_per" -v b="$m_per_few" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
n_growth=$(awk -v a="$n_per" -v b="$n_per_few" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
echo "per-connection memory at $IDLE_MANY / at $IDLE: miniweb ${m_growth}x, nginx ${n_growth}x"
stop_servers

echo
goal "HTTP/1.1 1 KiB keep-alive p99, miniweb/nginx" "$H1_P99_RATIO" "<=" 1.00 x
goal "HTTP/2 1 KiB p99, miniweb/nginx" "$H2_P99_RATIO" "<=" 1.00 x
goal "CPU per full TLS handshake, miniweb/nginx" "$HANDSHAKE_RATIO" "<=" 1.00 x
goal "memory per idle TLS connection ($IDLE), miniweb/nginx" "$IDLE_RATIO" "<=" 1.00 x
goal "memory per idle TLS connection ($IDLE_MANY), miniweb/nginx" "$IDLE_MANY_RATIO" "<=" 1.00 x
goal "idle memory growth $IDLE->$IDLE_MANY per connection, miniweb" "$m_growth" "<=" \
  "$(awk -v n="$n_growth" 'BEGIN { printf "%.2f", (n > 1.10 ? n : 1.10) }')" x
