#!/usr/bin/env bash
# ./miniweb fuzz [TARGET...] [--seconds N] [--list]
#
# Builds every parser's libFuzzer binary with clang 14, ASan and UBSan (build/fuzz), and runs
# the named targets, or all of them, N seconds each (30 unless told), from their seed corpora
# under tests/. Inputs that reach new code are kept in build/fuzz/found/TARGET (never in the
# sources); an input that crashes, leaks, hangs or runs out of memory is written to
# tests/fuzz_regressions/TARGET/, where `./miniweb test` replays it from then on: commit it with
# the fix. Exits non-zero when a target does not build or when any target fails.
# clang-14 and libclang-rt-14-dev (libFuzzer's runtime) are installed when missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/quietly.sh
source "$ROOT/scripts/quietly.sh"

say() { printf 'miniweb: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

seconds=30
list_only=0
targets=()
while (($#)); do
  case "$1" in
    --seconds)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--seconds takes a whole number of seconds"
      seconds=$2
      shift 2
      ;;
    --seconds=*)
      seconds=${1#--seconds=}
      [[ $seconds =~ ^[1-9][0-9]*$ ]] || die "--seconds takes a whole number of seconds"
      shift
      ;;
    --list) list_only=1 && shift ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    -*) die "fuzz: unknown option $1 (--seconds N, --list)" ;;
    *) targets+=("$1") && shift ;;
  esac
done

# The compiler and libFuzzer's runtime: not needed by the g++ builds, so installed only here.
install_clang() {
  local package missing=()
  for package in clang-14 libclang-rt-14-dev; do
    [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true) == "install ok installed" ]] ||
      missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  local sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  say "installing ${missing[*]}"
  quietly "updating the package lists" "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive quietly "installing ${missing[*]}" \
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}"
}

"$ROOT/scripts/install-deps.sh" --missing >/dev/null ||
  quietly "installing packages" "$ROOT/scripts/install-deps.sh"
install_clang

BUILD="$ROOT/build/fuzz"
FUZZERS="$BUILD/fuzzers"
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
# -O1 with assertions on (a Debug build): the fuzzers' usual trade of speed for checks.
quietly "configuring the fuzzers (clang 14)" \
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 -DMINIWEB_SANITIZE=ON ||
  die "the fuzzers' build could not be configured"
mapfile -t known < <(find "$FUZZERS" -name '*.conf' -printf '%f\n' | sed 's/\.conf$//' | sort)
((${#known[@]})) || die "no fuzz targets were configured (cmake/fuzz.cmake)"
if ((list_only)); then
  printf '%s\n' "${known[@]}"
  exit 0
fi
((${#targets[@]})) || targets=("${known[@]}")
for target in "${targets[@]}"; do
  [[ -f "$FUZZERS/$target.conf" ]] || die "no fuzz target named '$target' (known: ${known[*]})"
done

# Listing needs only the configure step (it writes NAME.conf); a run needs every target built.
quietly "building the fuzzers" cmake --build "$BUILD" -j"$(nproc)" --target miniweb_fuzzers ||
  die "a fuzz target does not build (build/fuzz)"

# One target for SECONDS: its summary line, and the failure's report when it fails.
run_target() {  # run_target NAME
  local name=$1 corpus max_len found crashes log status=0
  corpus=$(sed -n 's/^corpus=//p' "$FUZZERS/$name.conf")
  max_len=$(sed -n 's/^max_len=//p' "$FUZZERS/$name.conf")
  found="$BUILD/found/$name"
  crashes="$ROOT/tests/fuzz_regressions/$name"
  log="$BUILD/logs/$name.log"
  mkdir -p "$found" "$crashes" "$(dirname "$log")"
  local before
  before=$(find "$crashes" -type f | wc -l)
  "$FUZZERS/fuzz_$name" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$found" "$corpus" >"$log" 2>&1 || status=$?
  # libFuzzer's last status line: "#RUNS DONE cov: N ft: N corp: N/SIZE ..." (or the line
  # before the crash).
  local runs coverage corpus_size
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  corpus_size=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  local new_crashes
  new_crashes=$(($(find "$crashes" -type f | wc -l) - before))
  if ((status == 0)); then
    printf '  %-13s ok      %10s runs  %6s edges  %5s inputs in the corpus\n' \
      "$name" "${runs:-?}" "${coverage:-?}" "${corpus_size:-?}"
    # An empty folder for a target that never failed is not worth keeping in the sources.
    rmdir "$crashes" 2>/dev/null || true
    return 0
  fi
  printf '  %-13s FAILED  (%d new input(s) in %s; log %s)\n' "$name" "$new_crashes" \
    "${crashes#"$ROOT"/}" "${log#"$ROOT"/}"
  grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" |
    sed 's/^/             /' || true
  return 1
}

say "fuzzing ${targets[*]}: ${seconds} s each"
failed=()
for target in "${targets[@]}"; do
  run_target "$target" || failed+=("$target")
done
if ((${#failed[@]})); then
  say "failed: ${failed[*]}. Replay one input with build/fuzz/fuzzers/fuzz_NAME FILE; ./miniweb test replays them all"
  exit 1
fi
say "every target ran clean"
