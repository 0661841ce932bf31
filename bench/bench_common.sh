# Sourced by the benches that start servers of their own (bench/server, shop, pageload, soak):
# the processes they start, cleaned up with their work folder on exit; `need`, which installs a
# bench's own peers from Debian's archive when they are missing; `build_release`. The caller
# sets ROOT and WORK first.
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
  quietly "installing $package" env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-remove "$package"
}

# The programs of the whole demo internet, for the benches that bring a stack up.
STACK_PROGRAMS=(miniweb-browser miniweb-dns miniweb-ca miniweb-server miniweb-shop miniweb-stack)

# A Release build of the named programs in build/bench-NAME, into BUILD. Configured every time:
# a program added to the build since the folder was made is no target of its old Makefiles,
# and make refuses it before CMake could notice the change (a few seconds when nothing changed).
build_release() {  # build_release NAME TARGET...
  local name=$1
  shift
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  BUILD="$ROOT/build/bench-$name"
  quietly "configuring" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_TESTS=OFF
  quietly "building" cmake --build "$BUILD" -j2 --target "$@"
}
