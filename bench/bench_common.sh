# Sourced by the benches that start servers of their own (bench/server, bench/shop): the
# processes they start, cleaned up with their work folder on exit, and `need`, which installs
# a bench's own peers from Debian's archive when they are missing. The caller sets WORK first.
# shellcheck shell=bash

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

need() {  # need PROGRAM PACKAGE
  local program=$1 package=$2
  command -v "$program" >/dev/null 2>&1 && return
  [[ -x /usr/sbin/$program ]] && return
  echo "installing $package for the benchmark" >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  quietly "installing $package" env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$package"
}
