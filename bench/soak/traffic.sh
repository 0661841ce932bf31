# The soak's traffic: one loop per kind of client, each running until $END (epoch seconds) and
# writing one line per request (or per burst, for wrk and dnsperf) to a CSV of its own:
#   kind,start,end,requests,failed,depends,detail
# `depends` names the services a request needs that the soak kills now and then (the CA, the
# backend), space-separated, or -: report.py sets a request aside when it overlaps one of their
# kill windows. Sourced by bench/soak/run.sh, which sets STATE, NET, the ports, WORK, END,
# BACKEND (the backend it kills), BROWSER (the browser's command line) and DNS_BIN.
# shellcheck shell=bash

record() {  # record FILE KIND START END REQUESTS FAILED DEPENDS DETAIL
  local detail=${8//[$',\n']/ }
  printf '%s,%s,%s,%s,%s,%s,%s\n' "$2" "$3" "$4" "$5" "$6" "$7" "${detail:0:200}" >>"$1"
}

before_end() { [[ ${EPOCHREALTIME%.*} -lt $END ]]; }

# Pauses between a loop's rounds, so that the clients together leave the two cores some room:
# a soak looks for what grows over time, not for the most requests per second.
pause() { sleep "$1"; }

# curl, one request per process, round the web servers: the static site over HTTPS and HTTP (a
# redirect), the second TLD, a badssl server, the shop through its reverse proxies (load-balanced
# backends), the CA's CRL, and the forward proxy: CONNECT tunnels and an absolute-form request.
#   kind|depends|expected status|curl arguments
curl_table() {
  local ca="--cacert $STATE/ca/root.pem" h=$HTTPS_PORT p=$HTTP_PORT proxy="-x http://$NET.8:3128"
  cat <<EOF
curl https static|-|200|$ca --resolve www.example.test:$h:$NET.10 https://www.example.test:$h/
curl https static|-|200|$ca --resolve www.example.test:$h:$NET.10 https://www.example.test:$h/journey/udp-tcp.html
curl https static|-|200|$ca --resolve www.example:$h:$NET.10 https://www.example:$h/
curl https static|-|200|-k --resolve expired.badssl.test:$h:$NET.20 https://expired.badssl.test:$h/
curl http redirect|-|301|--resolve www.example.test:$p:$NET.10 http://www.example.test:$p/
curl https shop|$BACKEND|200|$ca --resolve shop.example.test:$h:$NET.40 https://shop.example.test:$h/
curl http shop|$BACKEND|200|--resolve shop.example:$p:$NET.44 http://shop.example:$p/
curl http CA CRL|ca|200|http://$NET.30:$p/crl
curl proxy tunnel|-|200|$ca $proxy https://www.example.test:$h/
curl proxy tunnel|$BACKEND|200|$ca $proxy https://shop.example.test:$h/
curl proxy absolute-form|$BACKEND|200|$proxy http://shop.example:$p/
EOF
}

curl_loop() {  # curl_loop OUT
  local lines=() line kind depends expected arguments start code
  mapfile -t lines < <(curl_table)
  while before_end; do
    for line in "${lines[@]}"; do
      IFS='|' read -r kind depends expected arguments <<<"$line"
      start=$EPOCHREALTIME
      # shellcheck disable=SC2086  # the table's arguments are words
      code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 $arguments 2>&1) || true
      record "$1" "$kind" "$start" "$EPOCHREALTIME" 1 "$([[ $code == "$expected" ]] && echo 0 || echo 1)" \
        "${depends#-}" "${arguments##* } answered $code"
      pause 0.2
    done
  done
}

# The browser, as a person loads a page: DNS through the stack's resolver, TLS with the CRL from
# the CA (so every load depends on the CA), HTTP/2, the layout and the dump.
#   depends|browser arguments
browser_table() {
  cat <<EOF
ca|https://www.example.test/
ca|https://www.example/
ca $BACKEND|https://shop.example.test/
$BACKEND|http://shop.example:$HTTP_PORT/
ca|--proxy http://proxy.example.test:3128 https://www.example.test:$HTTPS_PORT/
EOF
}

browser_loop() {  # browser_loop OUT
  local lines=() line depends arguments start status out
  mapfile -t lines < <(browser_table)
  while before_end; do
    for line in "${lines[@]}"; do
      IFS='|' read -r depends arguments <<<"$line"
      start=$EPOCHREALTIME status=0
      # shellcheck disable=SC2086
      out=$(timeout 30 "${BROWSER[@]}" --dump $arguments 2>&1) || status=$?
      # A page, not just an exit status: the dump has lines of text.
      ((status == 0)) && (($(wc -l <<<"$out") < 3)) && status=99
      record "$1" "browser --dump" "$start" "$EPOCHREALTIME" 1 "$((status != 0))" "$depends" \
        "${arguments##* } exit $status: $(tail -n 1 <<<"$out")"
      pause 1
    done
  done
}

# wrk in short bursts (its connections kept alive, as many requests as it can make) on the static
# site over HTTPS and HTTP and on the shop through its proxies. wrk_resolve.lua sends it to the
# stack's address while the URL keeps the name, for SNI and Host.
#   kind|depends|address|URL
wrk_table() {
  cat <<EOF
wrk https static|-|$NET.10|https://www.example.test:$HTTPS_PORT/
wrk https shop|$BACKEND|$NET.40|https://shop.example.test:$HTTPS_PORT/
wrk http static (redirects)|-|$NET.10|http://www.example.test:$HTTP_PORT/
wrk http shop|$BACKEND|$NET.44|http://shop.example:$HTTP_PORT/
EOF
}

wrk_loop() {  # wrk_loop OUT
  local lines=() line kind depends address url start out requests failed
  mapfile -t lines < <(wrk_table)
  while before_end; do
    for line in "${lines[@]}"; do
      IFS='|' read -r kind depends address url <<<"$line"
      start=$EPOCHREALTIME
      out=$(SOAK_ADDRESS=$address wrk -t1 -c4 -d3s --timeout 5s -s "$ROOT/bench/soak/wrk_resolve.lua" \
        "$url" 2>&1) || true
      # "N requests in 3.00s", "Non-2xx or 3xx responses: N",
      # "Socket errors: connect A, read B, write C, timeout D"
      requests=$(awk '/ requests in / { print $1 }' <<<"$out")
      failed=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
        /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
        END { print n + 0 }' <<<"$out")
      [[ $requests =~ ^[0-9]+$ ]] || requests=1 failed=1
      record "$1" "$kind" "$start" "$EPOCHREALTIME" "$requests" "$failed" "${depends#-}" \
        "$url: $(grep -E 'Non-2xx|Socket errors|unable' <<<"$out" | tr '\n' ' ')"
      pause 7
    done
  done
}

# dnsperf on the resolver, in bursts at a bounded rate; before each burst the resolver forgets
# everything, so the first questions go from the root down again (its cache is filled and
# emptied all the run long). Lost queries and SERVFAIL answers are failures.
dnsperf_loop() {  # dnsperf_loop OUT
  local queries=$WORK/dns-queries.txt start out sent failed
  printf '%s\n' "www.example.test A" "www.example.test HTTPS" "shop.example.test A" "www.example A" \
    "shop.example A" "ca.test A" "proxy.example.test A" "expired.badssl.test A" "example.test AAAA" \
    "nothing-here.example.test A" "big.example.test TXT" >"$queries"
  while before_end; do
    "$DNS_BIN" control --socket "$STATE/run/resolver.control" flush_all >/dev/null 2>&1 || true
    start=$EPOCHREALTIME
    out=$(dnsperf -s "$NET.53" -p "$DNS_PORT" -d "$queries" -l 5 -Q 300 -c 2 -t 5 2>&1) || true
    sent=$(awk '/Queries sent:/ { print $3 }' <<<"$out")
    failed=$(awk '/Queries lost:/ { n += $3 }
      /Response codes:/ { for (i = 3; i <= NF; i++) if ($i == "SERVFAIL") n += $(i + 1) }
      END { print n + 0 }' <<<"$out")
    [[ $sent =~ ^[0-9]+$ ]] || sent=1 failed=1
    record "$1" "dnsperf resolver" "$start" "$EPOCHREALTIME" "$sent" "$failed" "" \
      "$(grep -E 'Queries lost|Response codes|Error' <<<"$out" | tr '\n' ' ')"
    pause 3
  done
}

# lego, one whole ACME order after another against the stack's CA (a new account each time,
# http-01 validated by the CA through the stack's DNS): closed.example.test's address is one
# where no server listens, so lego answers the challenge there on the stack's HTTP port.
lego_loop() {  # lego_loop OUT
  local n=0 dir start status
  while before_end; do
    dir=$WORK/lego/$((n++))
    start=$EPOCHREALTIME status=0
    LEGO_CA_CERTIFICATES=$STATE/ca/root.pem LEGO_CA_SERVER_NAME=ca.test \
      timeout 90 lego --server "https://$NET.30:$HTTPS_PORT/directory" --accept-tos \
      --email soak@example.test --domains closed.example.test --http \
      --http.port "$NET.99:$HTTP_PORT" --path "$dir" run >"$dir.log" 2>&1 || status=$?
    # Exit 0 without a certificate (98) is a failure too.
    ((status == 0)) && [[ ! -s $dir/certificates/closed.example.test.crt ]] && status=98
    record "$1" "lego ACME order" "$start" "$EPOCHREALTIME" 1 "$((status != 0))" ca \
      "exit $status: $(tail -n 1 "$dir.log")"
    rm -rf "$dir"
    ((status != 0)) || rm -f "$dir.log"  # a failed order's log stays, for the report
    pause 5
  done
}
