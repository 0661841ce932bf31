#!/usr/bin/env bash
# The link emulator (miniweb-stack link) measured: the delay asked for against the round trip
# measured, and the CPU it spends per packet; beside the kernel's own path with no emulator,
# and beside netem when the kernel has it (this team's kernels do not). All of it in a network
# namespace of the bench's own: the host's rules and loopback are never touched.
#   bench/network/run.sh [ECHOES]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
ECHOES="${1:-300}"
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1

[[ $(id -u) -eq 0 ]] || { echo "bench/network: needs root (a network namespace and its rules)" >&2; exit 1; }
for tool in iptables unshare python3 tc; do
  command -v "$tool" >/dev/null || { echo "bench/network: needs $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

BUILD="$ROOT/build/bench-network"
[[ -f "$BUILD/CMakeCache.txt" ]] ||
  quietly "configuring" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_TESTS=OFF -DMINIWEB_PARTS=""
quietly "building" cmake --build "$BUILD" -j2 --target miniweb-stack

[[ $ECHOES =~ ^[0-9]+$ ]] || { echo "bench/network: ECHOES is a count" >&2; exit 1; }
exec unshare --net bash "$ROOT/bench/network/in_namespace.sh" "$ECHOES" "$BUILD/stack/miniweb-stack"
