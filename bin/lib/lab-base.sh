# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2153
# Output, settings and addressing, time, the run-dir lock.

say() { printf '%s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

# ---------------------------------------------------------------- settings

# The run dir is made absolute because it is also the marker that identifies
# this lab's processes in `ps` output.
run_dir() {
  local d=${TANDEM_LAB_DIR:-$REPO/.lab}
  [[ $d == /* ]] || d=$PWD/$d
  if [[ -d $d ]]; then d=$(cd "$d" && pwd -P); fi
  printf '%s' "${d%/}"
}
RUN=$(run_dir)
STATE=$RUN/lab.env
SOCK=$RUN/haproxy.sock
CFG=$RUN/haproxy.cfg

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# Settings come from the environment (and up's flags) when the lab starts and
# are then frozen in $STATE, so later commands describe what really runs even
# from a shell with a different environment.
settings_from_env() {
  NODES=${TANDEM_LAB_NODES:-3}
  NET=${TANDEM_LAB_NET:-127.0.0}
  FIRST=${TANDEM_LAB_FIRST:-10}
  HTTP_PORT=${TANDEM_LAB_HTTP_PORT:-8080}
  CLUSTER_PORT=${TANDEM_LAB_CLUSTER_PORT:-7800}
  STATS_PORT=${TANDEM_LAB_STATS_PORT:-8404}
  MODE=${TANDEM_LAB_MODE:-jar}
  JAR=${TANDEM_JAR:-$REPO/target/tandem.jar}
  JETTY=${JETTY_HOME:-$REPO/target/jetty-home}
  CLASS_ARCHIVE="" # set by ensure_class_archive (jar mode)
  BALANCE=roundrobin
  WEIGHTS="" # n1=3,n2=1: HAProxy server weights (render-haproxy.sh checks them)
  SHARED=0 # 1 = everything on 127.0.0.1 with distinct ports (no 127.0.0.N)
  # The request budget. MAX_REQUESTS: empty = each node derives its own from its cores; HAProxy
  # reads it from the node's agent either way. The queue's depth and time go to every node
  # (--max-queued, --queue-ms) and to HAProxy; defaults from haproxy/node-limits.env.
  MAX_REQUESTS=${TANDEM_LAB_MAX_REQUESTS:-}
  MAX_QUEUED=${TANDEM_LAB_MAX_QUEUED:-$(limit_default TANDEM_MAX_QUEUED)}
  QUEUE_MS=${TANDEM_LAB_QUEUE_MS:-$(limit_default TANDEM_QUEUE_MS)}
  # nodes run with their own working directory: relative paths would break
  [[ $JAR == /* ]] || JAR=$PWD/$JAR
  [[ $JETTY == /* ]] || JETTY=$PWD/$JETTY
}

# KEY -> its value in haproxy/node-limits.env (the nodes' and HAProxy's shared request budget).
limit_default() {
  local k v
  while IFS='=' read -r k v; do [[ $k == "$1" ]] && { say "$v"; return; }; done <"$REPO/haproxy/node-limits.env"
  die "haproxy/node-limits.env has no $1"
}

validate_settings() {
  if ! is_uint "$NODES" || ((NODES < 1 || NODES > 20)); then die "nodes must be 1..20, got '$NODES'"; fi
  # Traffic stays on loopback, whatever the environment says.
  [[ $NET =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "TANDEM_LAB_NET must be a loopback prefix like 127.0.0, got '$NET'"
  if ! is_uint "$FIRST" || ((FIRST < 1 || FIRST + NODES > 254)); then
    die "TANDEM_LAB_FIRST + nodes must stay within 1..254"
  fi
  local p
  for p in "$HTTP_PORT" "$CLUSTER_PORT" "$STATS_PORT"; do
    if ! is_uint "$p" || ((p < 1 || p > 65000)); then die "bad port '$p'"; fi
  done
  case $MODE in jar|war) ;; *) die "TANDEM_LAB_MODE must be jar or war, got '$MODE'" ;; esac
  if ! is_uint "$MAX_QUEUED" || ((MAX_QUEUED < 1 || MAX_QUEUED > 10000)); then
    die "TANDEM_LAB_MAX_QUEUED must be 1..10000, got '$MAX_QUEUED'"
  fi
  if ! is_uint "$QUEUE_MS" || ((QUEUE_MS > 60000)); then die "TANDEM_LAB_QUEUE_MS must be 0..60000, got '$QUEUE_MS'"; fi
  if ((SHARED)) && ((NODES > 9)); then
    die "on a single loopback address at most 9 nodes fit (cluster ports +10*i, FD_SOCK2 at +100)"
  fi
}

save_settings() {
  local k
  {
    say "# written by $PROG up; describes the running lab"
    for k in NODES NET FIRST HTTP_PORT CLUSTER_PORT STATS_PORT MODE JAR JETTY BALANCE WEIGHTS SHARED MAX_REQUESTS MAX_QUEUED QUEUE_MS; do
      printf '%s=%s\n' "$k" "${!k}"
    done
  } >"$STATE.tmp"
  mv "$STATE.tmp" "$STATE"
}

load_settings() {
  settings_from_env
  [[ -f $STATE ]] || return 1
  local k v
  while IFS='=' read -r k v; do
    case $k in
      NODES|NET|FIRST|HTTP_PORT|CLUSTER_PORT|STATS_PORT|MODE|JAR|JETTY|BALANCE|WEIGHTS|SHARED|MAX_REQUESTS|MAX_QUEUED|QUEUE_MS) printf -v "$k" '%s' "$v" ;;
    esac
  done <"$STATE"
}

# Addresses. Normally every node has its own loopback address and the same
# ports; where 127.0.0.N (N>1) cannot be bound (macOS without aliases) all
# share 127.0.0.1: node i uses HTTP_PORT+i and CLUSTER_PORT+10*i.
vip_ip() { if ((SHARED)); then say 127.0.0.1; else say "$NET.$FIRST"; fi; }
node_ip() { if ((SHARED)); then say 127.0.0.1; else say "$NET.$((FIRST + $1))"; fi; }
node_port() { if ((SHARED)); then say "$((HTTP_PORT + $1))"; else say "$HTTP_PORT"; fi; }
node_cport() { if ((SHARED)); then say "$((CLUSTER_PORT + 10 * $1))"; else say "$CLUSTER_PORT"; fi; }
node_addr() { say "$(node_ip "$1"):$(node_port "$1")"; }
# HAProxy's agent check reads a node's request limit this far above its HTTP port (render-haproxy.sh --agent-port +N).
AGENT_OFFSET=100
node_agent_port() { say "$(($(node_port "$1") + AGENT_OFFSET))"; }
vip_addr() { say "$(vip_ip):$HTTP_PORT"; }
stats_addr() { say "$(vip_ip):$STATS_PORT"; }
peers() {
  local i out=""
  for ((i = 1; i <= NODES; i++)); do out+="${out:+,}$(node_ip "$i"):$(node_cport "$i")"; done
  say "$out"
}

# NODE argument -> index
node_index() {
  local name=${1:-}
  [[ $name =~ ^n([0-9]+)$ ]] || die "NODE must be n1..n$NODES, got '${name}'"
  local i=${BASH_REMATCH[1]}
  ((i >= 1 && i <= NODES)) || die "NODE must be n1..n$NODES, got '$name'"
  say "$i"
}

# curl's --interface binds the source address before connecting; exit code 45
# means the address cannot be bound here. The connection target is the same
# loopback address and a port nobody uses, so nothing leaves the machine.
can_bind() { local rc=0; curl -s -o /dev/null --max-time 2 --interface "$1" "http://$1:1/" || rc=$?; ((rc != 45)); }

detect_addressing() {
  local i
  if [[ ${TANDEM_LAB_SINGLE_ADDRESS:-0} == 1 ]]; then SHARED=1; return; fi
  for ((i = 0; i <= NODES; i++)); do
    if ! can_bind "$NET.$((FIRST + i))"; then
      warn "cannot bind $NET.$((FIRST + i)); using 127.0.0.1 with one port per node (see "Local lab" in README.md)"
      SHARED=1
      return
    fi
  done
}

# ---------------------------------------------------------------- time

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/,/.}
    say "$(( ${t%.*} * 1000 + 10#$(printf '%.3s' "${t#*.}000") ))"
  else
    say "$((SECONDS * 1000))"
  fi
}
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01d s' $((ms / 1000)) $((ms % 1000 / 100)); }

# ---------------------------------------------------------------- lock

# One mutating command per run dir at a time. mkdir is atomic everywhere
# (flock is not on macOS); a lock whose owner died (kill -9) is taken over.
LOCKED=0
lock() {
  local force=${1:-} holder cmd tries=0
  mkdir -p "$RUN"
  until mkdir "$RUN/.lock" 2>/dev/null; do
    holder=$(cat "$RUN/.lock/pid" 2>/dev/null || true)
    if [[ -z $holder ]] && ((tries < 10)); then
      tries=$((tries + 1)) # the owner has not written its pid yet
      sleep 0.1
      continue
    fi
    cmd=""
    if is_uint "${holder:-x}"; then cmd=$(ps -ww -p "$holder" -o command= 2>/dev/null || true); fi
    if [[ $cmd == *"$PROG"* ]]; then
      [[ $force == force ]] || die "another $PROG (pid $holder) is working on $RUN"
      # `down` wins over an `up` still in progress, or that would start
      # nodes after down has swept.
      warn "stopping $PROG pid $holder that holds the lock"
      kill -TERM "$holder" 2>/dev/null || true
      wait_gone 5 "$holder" || kill -KILL "$holder" 2>/dev/null || true
    fi
    rm -rf "$RUN/.lock"
  done
  say "$$" >"$RUN/.lock/pid"
  LOCKED=1
}
unlock() { if ((LOCKED)); then rm -rf "$RUN/.lock"; LOCKED=0; fi; }
trap unlock EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
