#!/usr/bin/env bash
# Installs, from Debian's packages, everything miniweb needs to build, test and run.
# Idempotent: packages already present are skipped, and nothing runs when all are there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git
  libasio-dev libssl-dev openssl zlib1g-dev
  libgumbo-dev libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core libncurses-dev libpcap-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libsqlite3-dev  # the shop's database
  libnetfilter-queue-dev nftables iptables  # the link emulator (NFQUEUE) and its rules
  googletest libgtest-dev tshark tcpdump
  bind9-dnsutils curl iproute2 procps util-linux  # util-linux: setsid, unshare, nsenter, setpriv
  w3m tmux python3.11-doc nodejs-doc libstdc++-12-doc
  nodejs  # llhttp and WHATWG URL, the peers of tests/differential/node
  lego testssl.sh
  libnghttp2-dev  # HTTP/2 framing and HPACK (server and browser)
  nghttp2-client python3-h2 nginx-light chromium  # HTTP/2 interop and attack tests
  python3-dnspython nsd  # the DNS differential suites' peers (nsd for nsd-checkzone only)
)

# What a package is wanted for, when that may already be on the machine from elsewhere: Node.js
# from NodeSource (or nvm) runs the differential suites as well as Debian's, and NodeSource's
# package carries the API pages nodejs-doc holds (and conflicts with nodejs-doc: installing it
# would remove the machine's Node.js).
provided_otherwise() {
  case $1 in
    nodejs) command -v node >/dev/null ;;
    nodejs-doc) [[ -f /usr/share/doc/nodejs/api/all.html ]] ;;
    *) false ;;
  esac
}

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || provided_otherwise "$package" || missing+=("$package")
done

# --missing: only say which are missing (one per line), and fail when any is.
if [[ ${1:-} == --missing ]]; then
  printf '%s\n' "${missing[@]}"
  ((${#missing[@]} == 0))
  exit
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "miniweb: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "miniweb: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# Nothing already on the machine is removed to make room: --no-remove makes apt stop instead.
others=()
for package in "${missing[@]}"; do [[ $package == nsd ]] || others+=("$package"); done
if ((${#others[@]} > 0)); then
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --no-remove "${others[@]}" >/dev/null
fi
# nsd comes for nsd-checkzone alone: its daemon must never start and take port 53 on every
# address, the port the demo stack serves on. Its unit is masked before the install (neither
# the package's scripts nor a boot start a masked unit), and a policy-rc.d refuses the start
# where there is no systemd, for this install only.
if ((${#others[@]} < ${#missing[@]})); then
  "${sudo_cmd[@]}" mkdir -p /etc/systemd/system
  "${sudo_cmd[@]}" ln -sfn /dev/null /etc/systemd/system/nsd.service
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  status=0
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --no-remove nsd >/dev/null || status=$?
  if ((policy_added)); then "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d; fi
  exit "$status"
fi
