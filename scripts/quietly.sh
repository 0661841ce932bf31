# quietly WHAT COMMAND...: runs a build or install step with its output kept in a log, so that
# the launcher and the benches say what they do in a few lines. On failure: the lines that
# name an error, the end of the log, and where the whole log is. Sourced by ./miniweb and by
# bench/*/run.sh.
quietly() {
  local what=$1 log status=0
  shift
  log=$(mktemp "${TMPDIR:-/tmp}/miniweb-${what//[^a-z0-9]/-}.XXXXXX.log")
  "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    printf 'miniweb: %s failed (exit %d); the errors, then the end of %s:\n' "$what" "$status" "$log" >&2
    grep -E -m 20 '(error|Error|ERROR|E:)' "$log" >&2 || true
    echo "..." >&2
    tail -n 25 "$log" >&2
    return "$status"
  fi
  rm -f "$log"
}
