#!/usr/bin/env bash
# Frame times for scrolling a long page in the browser's SDL2 window (issue 7), headless:
# SDL's offscreen driver and software renderer, so the numbers are CPU rendering (a GPU
# renderer on a desktop does better). The page (2000 paragraphs by default: ~16k text runs,
# ~120k px) is laid out once, then scrolled top to bottom twice, one frame per step: the
# first pass makes each run's texture as it comes into view, the second only copies cached
# textures. Builds window_scroll_bench in Release in build/bench-window; the build and the
# measurement take /tmp/miniweb-build.lock so they never overlap a build (set
# MINIWEB_BENCH_LOCKED=1 when the caller holds it already). About 30 s after the build.
#
#   bench/window/run.sh [--paragraphs N] [--step PX] [--file PAGE.html]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"
BUILD=${MINIWEB_BENCH_BUILD:-$ROOT/build/bench-window}
LOCK=/tmp/miniweb-build.lock

locked() {
  if [[ "${MINIWEB_BENCH_LOCKED:-}" == 1 ]]; then "$@"; else flock "$LOCK" "$@"; fi
}

[[ -f "$BUILD/CMakeCache.txt" ]] ||
  quietly "configuring" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMINIWEB_PARTS="dns;ca;server;browser"
quietly "building" locked cmake --build "$BUILD" -j2 --target window_scroll_bench
echo "window scroll bench ($(date -u +%FT%TZ), $(nproc) cores)"
SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} locked timeout 300 "$BUILD/tests/browser/window_scroll_bench" "$@"
