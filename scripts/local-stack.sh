#!/usr/bin/env bash
# Local stack for deploykit's integration tests and local runs (see DESIGN.md, "Local stack"):
#   podman's Docker Engine API, an open registry, an htpasswd registry and moto, all on 127.0.0.1.
#
#   scripts/local-stack.sh start    install what is missing, start what is not running, write the env file
#   scripts/local-stack.sh stop     stop the processes this script started
#   scripts/local-stack.sh status   one line per service; exit 0 only if all run
#   scripts/local-stack.sh env      print the env file: eval "$(scripts/local-stack.sh env)"
#
# Everything (pid files, logs, configs, registry and podman storage) lives in the state dir:
# $DEPLOYKIT_STACK_DIR, or <repo>/.local-stack/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${DEPLOYKIT_STACK_DIR:-$REPO_ROOT/.local-stack}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"

ENV_FILE="$STATE/env"
RUN_DIR="$STATE/run"
LOG_DIR="$STATE/logs"
CONF_DIR="$STATE/conf"
PODMAN_DIR="$STATE/podman"
PODMAN_SOCK="$STATE/podman.sock"
REGISTRIES_CONF="$CONF_DIR/registries.conf"
STORAGE_CONF="$CONF_DIR/storage.conf"
HTPASSWD_FILE="$CONF_DIR/htpasswd"
INSTALL_LOG="$LOG_DIR/install.log"
AUTH_USER="deploykit"
SERVICES=(podman registry auth-registry moto)

# Readiness timeouts, in seconds.
READY_TIMEOUT="${DEPLOYKIT_STACK_READY_TIMEOUT:-60}"
STOP_TIMEOUT=15

# Podman never touches the system storage: its own root, runroot, tmpdir and volume path, vfs
# (works without overlay/fuse), and cgroupfs + file events because nothing here runs systemd or
# journald.
PODMAN_FLAGS=(
  --root "$PODMAN_DIR/root"
  --runroot "$PODMAN_DIR/runroot"
  --tmpdir "$PODMAN_DIR/tmp"
  --volumepath "$PODMAN_DIR/volumes"
  --storage-driver vfs
  --cgroup-manager=cgroupfs
  --events-backend=file
)

log() { printf 'local-stack: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# --- small helpers ---------------------------------------------------------------------------

# Single-quote a value for a sourceable `export K='V'` line.
shell_quote() {
  local s=${1//\'/\'\\\'\'}
  printf "'%s'" "$s"
}

# Value of KEY in the existing env file (written by this script in `export K='V'` form).
env_file_value() {
  local key=$1
  [[ -f $ENV_FILE ]] || return 0
  sed -n "s/^export ${key}='\\(.*\\)'\$/\\1/p" "$ENV_FILE" | tail -n 1
}

# Field 22 of /proc/PID/stat (start time since boot, in clock ticks): with the pid it
# identifies one process, so a recycled pid is never mistaken for ours.
proc_start_time() {
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086 # split the fields on purpose
  set -- $rest
  printf '%s' "${20}"
}

# True if PID exists and is not a zombie (a killed orphan may wait a while to be reaped).
proc_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# True if any live process is in process group PGID.
group_running() {
  local pid
  for pid in $(pgrep -g "$1" 2>/dev/null || true); do
    proc_running "$pid" && return 0
  done
  return 1
}

proc_cmdline() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
}

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }
log_file() { printf '%s/%s.log' "$LOG_DIR" "$1"; }

# A string that the service's command line must contain; checked before we trust or kill a pid.
cmd_marker() {
  case $1 in
    podman) printf '%s' "$PODMAN_SOCK" ;;
    registry) printf '%s' "$CONF_DIR/registry.yml" ;;
    auth-registry) printf '%s' "$CONF_DIR/auth-registry.yml" ;;
    moto) printf '%s' "moto_server" ;;
  esac
}

# Prints the pid of SERVICE if its pid file names a live process that is still that service.
service_pid() {
  local name=$1 file pid start marker
  file=$(pid_file "$name")
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  proc_running "$pid" || return 1
  [[ "$(proc_start_time "$pid" || true)" == "$start" ]] || return 1
  marker=$(cmd_marker "$name")
  [[ "$(proc_cmdline "$pid" || true)" == *"$marker"* ]] || return 1
  printf '%s' "$pid"
}

service_port_key() {
  case $1 in
    registry) printf 'DEPLOYKIT_REGISTRY' ;;
    auth-registry) printf 'DEPLOYKIT_AUTH_REGISTRY' ;;
  esac
}

service_address() {
  local name=$1
  case $name in
    podman) printf 'unix://%s' "$PODMAN_SOCK" ;;
    registry | auth-registry) printf 'http://%s' "$(env_file_value "$(service_port_key "$name")")" ;;
    moto) env_file_value AWS_ENDPOINT_URL ;;
  esac
}

http_code() {
  curl -s -o /dev/null -m 3 -w '%{http_code}' "$@" 2>/dev/null || true
}

# Does the service answer? podman: /_ping on the socket; registries: /v2/ (401 for the
# htpasswd one); moto: any HTTP answer.
service_answers() {
  local name=$1 address=$2 code
  case $name in
    podman)
      [[ -S $PODMAN_SOCK ]] || return 1
      [[ "$(curl -s -m 3 --unix-socket "$PODMAN_SOCK" http://d/_ping 2>/dev/null || true)" == OK ]]
      ;;
    registry | auth-registry)
      code=$(http_code "$address/v2/")
      [[ $code == 200 || $code == 401 ]]
      ;;
    moto)
      code=$(http_code "$address/moto-api/")
      [[ $code =~ ^[1-5][0-9][0-9]$ ]]
      ;;
  esac
}

port_is_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
# Like the servers themselves: a port whose old connections linger in TIME_WAIT is still usable.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

# N distinct free ports on 127.0.0.1 (all bound at once, so they differ).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

# --- install -----------------------------------------------------------------------------------

gobin_dir() {
  local gobin
  gobin=$(go env GOBIN 2>/dev/null || true)
  [[ -n $gobin ]] || gobin="$(go env GOPATH 2>/dev/null || printf '%s/go' "$HOME")/bin"
  printf '%s' "$gobin"
}

install_failed() {
  log "error: installing $1 failed; last lines of $INSTALL_LOG:"
  tail -n 30 "$INSTALL_LOG" >&2 || true
  exit 1
}

install_missing() {
  local missing=() tool
  for tool in podman docker-registry skopeo shellcheck htpasswd curl python3 zip; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]} > 0)); then
    log "installing apt packages (missing: ${missing[*]}); log: $INSTALL_LOG"
    {
      # Another apt-get may hold the dpkg lock (e.g. one started at boot): wait for it.
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
          podman docker-registry skopeo shellcheck apache2-utils curl python3 zip
    } >>"$INSTALL_LOG" 2>&1 || install_failed "apt packages (podman docker-registry skopeo shellcheck apache2-utils zip)"
  fi

  # Versions pinned to the ones the tests were written against (moto changes behaviour between
  # releases). The AWS CLI is only for the demo's set-up steps (creating a role and a function in moto).
  if ! command -v moto_server >/dev/null 2>&1 || ! command -v cfn-lint >/dev/null 2>&1 || ! command -v aws >/dev/null 2>&1; then
    log "installing moto[server], cfn-lint and awscli with pip; log: $INSTALL_LOG"
    python3 -m pip install 'moto[server]==5.2.1' 'cfn-lint==1.51.0' awscli >>"$INSTALL_LOG" 2>&1 ||
      install_failed "moto[server], cfn-lint and awscli (pip)"
    # pyenv only creates shims for new console scripts on rehash.
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash >>"$INSTALL_LOG" 2>&1 || true; fi
    command -v moto_server >/dev/null 2>&1 || install_failed "moto[server] (moto_server is not on PATH)"
  fi

  if ! command -v actionlint >/dev/null 2>&1; then
    command -v go >/dev/null 2>&1 || die "actionlint is missing and go is not installed to build it"
    GOBIN_DIR=$(gobin_dir)
    if [[ ! -x $GOBIN_DIR/actionlint ]]; then
      log "installing actionlint with go install; log: $INSTALL_LOG"
      go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 >>"$INSTALL_LOG" 2>&1 ||
        install_failed "actionlint (go install)"
    fi
  fi
  if command -v go >/dev/null 2>&1; then GOBIN_DIR=$(gobin_dir); fi
}

# --- configs -----------------------------------------------------------------------------------

write_if_changed() {
  local target=$1 tmp
  tmp=$(mktemp "$target.XXXXXX")
  cat >"$tmp"
  if [[ -f $target ]] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$target"
}

write_registry_config() {
  local name=$1 port=$2 auth=$3
  {
    cat <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: "$STATE/registry-data/$name"
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
    if [[ $auth == yes ]]; then
      cat <<EOF
auth:
  htpasswd:
    realm: deploykit-local-stack
    path: "$HTPASSWD_FILE"
EOF
    fi
  } | write_if_changed "$CONF_DIR/$name.yml" || true
}

write_podman_configs() {
  local changed=1
  write_if_changed "$REGISTRIES_CONF" <<EOF || changed=0
# Written by scripts/local-stack.sh: both local registries speak plain HTTP.
[[registry]]
location = "127.0.0.1:$REGISTRY_PORT"
insecure = true

[[registry]]
location = "127.0.0.1:$AUTH_REGISTRY_PORT"
insecure = true
EOF
  # For anything that opens containers-storage with the env file loaded (podman CLI, skopeo
  # containers-storage: refs): the same private store the service uses, never the system one.
  write_if_changed "$STORAGE_CONF" <<EOF || true
[storage]
driver = "vfs"
graphroot = "$PODMAN_DIR/root"
runroot = "$PODMAN_DIR/runroot"
EOF
  return $((1 - changed))
}

# --- start/stop one service --------------------------------------------------------------------

# Runs the command in its own session (setsid execs in place, so $! is the service's pid and
# its process group), records pid and start time.
launch() {
  local name=$1 pid
  shift
  printf '\n=== %s: starting %s\n' "$(date -u +%FT%TZ)" "$*" >>"$(log_file "$name")"
  # 9>&-: the service must not inherit (and hold forever) the start/stop lock.
  setsid "$@" >>"$(log_file "$name")" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s %s\n' "$pid" "$(proc_start_time "$pid" || echo 0)" >"$(pid_file "$name")"
}

start_service() {
  local name=$1
  case $name in
    podman)
      rm -f "$PODMAN_SOCK"
      mkdir -p "$PODMAN_DIR/tmp" "$PODMAN_DIR/image-tmp"
      launch podman env \
        CONTAINERS_REGISTRIES_CONF="$REGISTRIES_CONF" \
        CONTAINERS_STORAGE_CONF="$STORAGE_CONF" \
        TMPDIR="$PODMAN_DIR/image-tmp" \
        podman "${PODMAN_FLAGS[@]}" system service --time=0 "unix://$PODMAN_SOCK"
      ;;
    registry | auth-registry)
      mkdir -p "$STATE/registry-data/$name"
      launch "$name" docker-registry serve "$CONF_DIR/$name.yml"
      ;;
    moto)
      launch moto moto_server -H 127.0.0.1 -p "$MOTO_PORT"
      ;;
  esac
}

wait_ready() {
  local name=$1 address=$2 deadline pid start
  deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if service_answers "$name" "$address"; then
      return 0
    fi
    # Only pid and start time here: right after launch the command line may not be exec'd yet.
    read -r pid start <"$(pid_file "$name")" || true
    if ! proc_running "${pid:-0}" || [[ "$(proc_start_time "$pid" || true)" != "$start" ]]; then
      log "error: $name exited during start-up; last lines of $(log_file "$name"):"
      tail -n 30 "$(log_file "$name")" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  log "error: $name did not answer at $address within ${READY_TIMEOUT}s; last lines of $(log_file "$name"):"
  tail -n 30 "$(log_file "$name")" >&2 || true
  return 1
}

kill_service() {
  local name=$1 pid file deadline
  file=$(pid_file "$name")
  [[ -f $file ]] || return 0
  if ! pid=$(service_pid "$name"); then
    log "$name: pid file is stale (process gone or not ours); removing it"
    rm -f "$file"
    return 0
  fi
  if [[ $name == podman ]]; then
    # Containers run under conmon, outside the service's process group: stop them first.
    timeout 30 env CONTAINERS_STORAGE_CONF="$STORAGE_CONF" podman "${PODMAN_FLAGS[@]}" \
      stop --all --time 5 >>"$(log_file podman)" 2>&1 || true
  fi
  # setsid made the service a process-group leader: signal the group so children go too.
  if [[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" == "$pid" ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  deadline=$((SECONDS + STOP_TIMEOUT))
  while proc_running "$pid" || group_running "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) did not exit after SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
  done
  rm -f "$file"
  log "$name stopped (pid $pid)"
}

# Helpers podman may leave behind in other sessions (conmon double-forks; catatonit, OCI runtime):
# only those binaries, and only when their command line names our state dir.
kill_podman_leftovers() {
  local pid comm
  for pid in $(pgrep -x 'conmon|catatonit|crun|runc|podman|slirp4netns|netavark|aardvark-dns' || true); do
    [[ "$(proc_cmdline "$pid" || true)" == *"$STATE/"* ]] || continue
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    log "killing leftover $comm (pid $pid)"
    # conmon leads its own session: take what runs under it (the container) along.
    if [[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" == "$pid" ]]; then
      kill -KILL -- "-$pid" 2>/dev/null || true
    else
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# --- subcommands -------------------------------------------------------------------------------

cmd_status() {
  local name pid address all=0 state
  for name in "${SERVICES[@]}"; do
    address=$(service_address "$name")
    if pid=$(service_pid "$name"); then
      if [[ -n $address ]] && service_answers "$name" "$address"; then
        state="running"
      else
        state="not-answering"
        all=1
      fi
      printf '%-14s %-14s %s (pid %s)\n' "$name" "$state" "$address" "$pid"
    else
      printf '%-14s %-14s %s\n' "$name" "stopped" "${address:--}"
      all=1
    fi
  done
  return "$all"
}

cmd_env() {
  [[ -f $ENV_FILE ]] || die "no env file at $ENV_FILE; run: scripts/local-stack.sh start"
  cat "$ENV_FILE"
}

# Keep the previous port when it is still usable, so clients configured earlier keep working.
choose_port() {
  local name=$1 previous=$2 fallback=$3
  if [[ -n $previous ]] && { service_pid "$name" >/dev/null || port_is_free "$previous"; }; then
    printf '%s' "$previous"
  else
    printf '%s' "$fallback"
  fi
}

cmd_start() {
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$CONF_DIR" "$PODMAN_DIR"
  GOBIN_DIR=""
  install_missing

  local prev_registry prev_auth prev_moto prev_password spare name
  prev_registry=$(env_file_value DEPLOYKIT_REGISTRY)
  prev_auth=$(env_file_value DEPLOYKIT_AUTH_REGISTRY)
  prev_moto=$(env_file_value AWS_ENDPOINT_URL)
  prev_password=$(env_file_value DEPLOYKIT_AUTH_REGISTRY_PASSWORD)
  read -r -a spare <<<"$(free_ports 3)"
  REGISTRY_PORT=$(choose_port registry "${prev_registry##*:}" "${spare[0]}")
  AUTH_REGISTRY_PORT=$(choose_port auth-registry "${prev_auth##*:}" "${spare[1]}")
  MOTO_PORT=$(choose_port moto "${prev_moto##*:}" "${spare[2]}")

  # A running registry or moto keeps its port; a restarted one may get a new one, in which case
  # the configs below change and its clients (podman) are restarted.
  local restart=()
  for name in registry auth-registry moto; do
    service_pid "$name" >/dev/null || restart+=("$name")
  done

  # The password lives as long as the htpasswd registry process: a new one gets a new password.
  local password=$prev_password
  if [[ " ${restart[*]} " == *" auth-registry "* || -z $password || ! -f $HTPASSWD_FILE ]]; then
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
    htpasswd -Bbn "$AUTH_USER" "$password" >"$HTPASSWD_FILE.tmp" 2>>"$LOG_DIR/auth-registry.log" ||
      die "htpasswd -Bbn failed (is apache2-utils installed?)"
    mv -f "$HTPASSWD_FILE.tmp" "$HTPASSWD_FILE"
    chmod 600 "$HTPASSWD_FILE"
    if service_pid auth-registry >/dev/null; then
      kill_service auth-registry
      restart+=(auth-registry)
    fi
  fi

  write_registry_config registry "$REGISTRY_PORT" no
  write_registry_config auth-registry "$AUTH_REGISTRY_PORT" yes
  # podman reads registries.conf once: if a registry moved, restart the service.
  if write_podman_configs && service_pid podman >/dev/null; then
    log "registry ports changed; restarting podman"
    kill_service podman
  fi
  service_pid podman >/dev/null || restart+=(podman)

  local failed=()
  for name in "${restart[@]}"; do
    log "starting $name"
    start_service "$name"
  done

  write_env_file "$password"

  for name in "${SERVICES[@]}"; do
    wait_ready "$name" "$(service_address "$name")" || failed+=("$name")
  done
  if ((${#failed[@]} > 0)); then
    die "could not start: ${failed[*]} (logs in $LOG_DIR)"
  fi
  if ((${#restart[@]} == 0)); then log "already running; nothing restarted"; fi
  cmd_status
}

write_env_file() {
  local password=$1
  {
    # shellcheck disable=SC2016 # a literal command for the reader
    printf '# Written by scripts/local-stack.sh start. Load with: eval "$(scripts/local-stack.sh env)"\n'
    printf 'export DEPLOYKIT_STACK_DIR=%s\n' "$(shell_quote "$STATE")"
    printf 'export DOCKER_HOST=%s\n' "$(shell_quote "unix://$PODMAN_SOCK")"
    printf 'export AWS_ENDPOINT_URL=%s\n' "$(shell_quote "http://127.0.0.1:$MOTO_PORT")"
    printf 'export AWS_ACCESS_KEY_ID=%s\n' "'testing'"
    printf 'export AWS_SECRET_ACCESS_KEY=%s\n' "'testing'"
    printf 'export AWS_REGION=%s\n' "'us-east-1'"
    printf 'export DEPLOYKIT_REGISTRY=%s\n' "$(shell_quote "127.0.0.1:$REGISTRY_PORT")"
    printf 'export DEPLOYKIT_AUTH_REGISTRY=%s\n' "$(shell_quote "127.0.0.1:$AUTH_REGISTRY_PORT")"
    printf 'export DEPLOYKIT_AUTH_REGISTRY_USER=%s\n' "$(shell_quote "$AUTH_USER")"
    printf 'export DEPLOYKIT_AUTH_REGISTRY_PASSWORD=%s\n' "$(shell_quote "$password")"
    printf 'export CONTAINERS_REGISTRIES_CONF=%s\n' "$(shell_quote "$REGISTRIES_CONF")"
    printf 'export CONTAINERS_STORAGE_CONF=%s\n' "$(shell_quote "$STORAGE_CONF")"
    if [[ -n ${GOBIN_DIR:-} ]]; then
      [[ $GOBIN_DIR != *[\"\$\`\\]* ]] || die "GOBIN path has characters the env file cannot hold: $GOBIN_DIR"
      printf 'export DEPLOYKIT_TOOLS_PATH=%s\n' "$(shell_quote "$GOBIN_DIR")"
      # shellcheck disable=SC2016 # $PATH expands when the file is sourced
      printf 'export PATH="%s:${PATH}"\n' "$GOBIN_DIR"
    fi
  } | {
    umask 077
    write_if_changed "$ENV_FILE"
  } || true
}

cmd_stop() {
  local name
  # Clients first, then the servers they use.
  for name in podman moto auth-registry registry; do
    kill_service "$name"
  done
  kill_podman_leftovers
  rm -f "$PODMAN_SOCK"
}

with_lock() {
  # One start/stop at a time (several test runs may call start together).
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w 600 9 || die "another local-stack.sh has held $RUN_DIR/lock for 10 minutes"
  "$@"
}

main() {
  local cmd=${1:-}
  case $cmd in
    start) with_lock cmd_start ;;
    stop) with_lock cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *)
      printf 'usage: %s start|stop|status|env\n' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
