# shellcheck shell=bash
# The stack's own user and network namespace, for a user who is not root. Sourced by
# ./miniweb, whose variables (STATE, ROOT, NET) and functions (say, die) it uses.


# Without root, the stack cannot bind ports 53, 443 and 80, nor capture packets. So it gets a
# user and a network namespace of its own (as rootless containers do): a holder process keeps
# them alive, and every command that touches the stack enters them and runs this script again
# there, as root of the namespace, with MINIWEB_IN_NAMESPACE set. The namespace has its own
# loopback: the host's shell does not see the stack; ./miniweb shell and exec do.
NAMESPACE_PID_FILE="$STATE/run/namespace.pid"

# The holder's pid while it runs: `sleep` in a network namespace other than ours.
namespace_pid() {
  local pid exe
  [[ -f "$NAMESPACE_PID_FILE" ]] || return 1
  pid=$(cat "$NAMESPACE_PID_FILE")
  [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  [[ $exe == */sleep ]] || return 1
  [[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) != "$(readlink /proc/self/ns/net)" ]] || return 1
  echo "$pid"
}

# Whether a new stack goes into a namespace: MINIWEB_NAMESPACE says, else unless we are root.
namespace_wanted() {
  case "${MINIWEB_NAMESPACE:-}" in
    1) return 0 ;;
    0) return 1 ;;
    "") [[ $(id -u) -ne 0 ]] ;;
    *) die "MINIWEB_NAMESPACE is 1 (a namespace of the stack's own) or 0 (the host's loopback), not '$MINIWEB_NAMESPACE'" ;;
  esac
}

# One line: why this machine refuses user namespaces to users, and what to do. Fails when
# nothing says it does (unshare may still fail; namespace_start reports that).
namespace_refusal() {
  [[ $(id -u) -eq 0 ]] && return 1
  local why="" fix=""
  if [[ $(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null) == 0 ]]; then
    why="kernel.unprivileged_userns_clone = 0" fix="sudo sysctl -w kernel.unprivileged_userns_clone=1"
  elif [[ $(cat /proc/sys/user/max_user_namespaces 2>/dev/null) == 0 ]]; then
    why="user.max_user_namespaces = 0" fix="sudo sysctl -w user.max_user_namespaces=15000"
  elif [[ $(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null) == 1 ]]; then
    why="kernel.apparmor_restrict_unprivileged_userns = 1"
    fix="sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
  else
    return 1
  fi
  echo "this machine forbids user namespaces to users ($why), and without root the stack needs one: allow them ($fix), run ./miniweb as root, or set MINIWEB_NAMESPACE=0 to use the host's loopback on ports 5300, 8443 and 8080"
}

# Whether a service of the stack runs here, outside any namespace of its own.
host_stack_running() {
  local name
  for name in $(planned_services); do
    service_running "$name" && return 0
  done
  return 1
}

# Makes the namespace and its holder; sets NAMESPACE_PID.
namespace_start() {
  local tool refusal
  for tool in unshare nsenter ip setsid; do
    command -v "$tool" >/dev/null ||
      die "'$tool' is missing; scripts/install-deps.sh installs it (util-linux, iproute2)"
  done
  if refusal=$(namespace_refusal); then die "$refusal"; fi
  # Services started on the host would be out of reach from inside, and stay there.
  ! host_stack_running ||
    die "the stack is up on the host's loopback, not in a namespace: ./miniweb down first (or MINIWEB_NAMESPACE=0 to keep it there)"
  mkdir -p "$STATE/run" "$STATE/logs"
  chmod 700 "$STATE"
  local log="$STATE/logs/namespace.log"
  # unshare execs sh, which brings the namespace's loopback up and becomes the holder.
  setsid unshare --user --map-root-user --net sh -c 'ip link set lo up && exec sleep infinity' \
    >"$log" 2>&1 </dev/null &
  local pid=$! deadline=$((SECONDS + 10))
  until [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */sleep ]]; do
    if [[ ! -d /proc/$pid || $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] || ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      die "could not make the stack's user and network namespace ($(head -n 1 "$log" 2>/dev/null || echo 'no reason given')): allow user namespaces, run ./miniweb as root, or set MINIWEB_NAMESPACE=0 to use the host's loopback on ports 5300, 8443 and 8080"
    fi
    sleep 0.02
  done
  echo "$pid" >"$NAMESPACE_PID_FILE"
  NAMESPACE_PID=$pid
}

# Ends the holder; with no service left inside, the namespace goes with it.
namespace_stop() {  # namespace_stop PID
  kill -TERM "$1" 2>/dev/null || true
  local deadline=$((SECONDS + 5))
  while [[ -d /proc/$1 ]] && ((SECONDS < deadline)); do sleep 0.05; done
  kill -KILL "$1" 2>/dev/null || true
  rm -f "$NAMESPACE_PID_FILE"
}

# A command of the launcher's that touches the stack, from the host: into the namespace when
# the stack is in one (or `up` puts it in one). Returns only when the command runs here.
namespace_dispatch() {  # namespace_dispatch COMMAND ARGUMENTS...
  local command=$1 pid created=0
  shift
  if ! pid=$(namespace_pid); then
    rm -f "$NAMESPACE_PID_FILE"
    case "$command" in
      up | demo)
        namespace_wanted || return 0
        ensure_built  # out here: installing needs the network, and sudo
        namespace_start
        pid=$NAMESPACE_PID created=1
        ;;
      shell | exec)
        { ! namespace_wanted || host_stack_running; } && return 0
        die "the stack is not up, so there is no namespace to enter: ./miniweb up starts it"
        ;;
      *) return 0 ;;  # nothing to enter: the command says what is (not) running here
    esac
  else
    case "$command" in
      up | demo) ensure_built ;;
      browse | experiment) ensure_programs_fresh ;;
    esac
  fi
  # As root of the namespace: --preserve-credentials keeps our uid, which maps to its root
  # (unshare --map-root-user forbids setgroups, which nsenter would call otherwise).
  local enter=(nsenter --preserve-credentials --target "$pid" --user --net --
    env MINIWEB_IN_NAMESPACE="$pid")
  case "$command" in
    shell)
      say "a shell in the stack's namespace (holder pid $pid); exit leaves it"
      exec "${enter[@]}" "${SHELL:-/bin/bash}"
      ;;
    exec)
      (($#)) || die "exec runs a command in the stack's namespace: ./miniweb exec dig @$NET.53 www.example.test"
      exec "${enter[@]}" "$@"
      ;;
    down)
      "${enter[@]}" "$ROOT/miniweb" down || true
      namespace_stop "$pid"
      exit 0
      ;;
    up)
      local status=0
      "${enter[@]}" "$ROOT/miniweb" up "$@" || status=$?
      if ((status != 0)); then
        ((created)) && namespace_stop "$pid"
        exit "$status"
      fi
      say "the stack runs in a network namespace of its own (holder pid $pid): reach it with ./miniweb exec COMMAND or ./miniweb shell"
      exit 0
      ;;
    status)
      say "in its own user and network namespace (holder pid $pid)"
      exec "${enter[@]}" "$ROOT/miniweb" status
      ;;
    *) exec "${enter[@]}" "$ROOT/miniweb" "$command" "$@" ;;
  esac
}
