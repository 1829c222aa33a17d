# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2153
# HAProxy: the runtime API client, its view of the servers, config, credentials, starting it.

# HTTP status of a loopback URL, 000 when nothing answers.
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-2}" "$1" 2>/dev/null || true; }

# The one runtime API client: one command to HAProxy's unix socket, its answer on stdout.
hap() {
  [[ -S $SOCK ]] || return 1
  printf '%s\n' "$1" | socat -t 2 -T 5 - "UNIX-CONNECT:$SOCK"
}

# "name|status|last check|weight" for every server of backend tandem (`show stat` CSV, columns by
# header name; "* " marks a check in progress and is dropped).
hap_states() {
  hap "show stat" 2>/dev/null | awk -F, '
    NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == "tandem" && $2 != "BACKEND" && $2 != "FRONTEND" {
      check = $col["check_status"]; sub(/^\* /, "", check)
      print $2 "|" $col["status"] "|" check "|" $col["weight"] }'
}
hap_state() { # NODE -> UP, DOWN, DRAIN, MAINT, "UP 1/2" (going down)...; "?" when HAProxy has no answer
  local st
  st=$(hap_states | awk -F'|' -v n="$1" '$1 == n { print $2 }')
  say "${st:-?}"
}
hap_set() { # NODE drain|ready|maint
  local out
  out=$(hap "set server tandem/$1 state $2" 2>&1) || { warn "HAProxy socket unavailable; $1 not set to $2"; return 0; }
  [[ -z ${out//[[:space:]]/} ]] || warn "HAProxy: $out"
}
wait_hap_state() { # NODE STATE TIMEOUT
  local deadline=$((SECONDS + $3))
  until [[ $(hap_state "$1") == "$2" ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
haproxy_alive() { lab_alive haproxy; }

# HAProxy, socat (its runtime API) and jq (the nodes' JSON): installed when root on Debian/Ubuntu.
ensure_tools_installed() {
  local cmd missing=()
  for cmd in haproxy socat jq curl; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  if ((${#missing[@]})) && [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; then
    say "installing ${missing[*]} (bin/install-deps lab)"
    "$REPO/bin/install-deps" lab || die "bin/install-deps lab failed"
    missing=()
  fi
  if ((${#missing[@]})); then
    say "missing: ${missing[*]}. Install, then run bin/$PROG up again:"
    say "  Debian/Ubuntu:  sudo bin/install-deps lab"
    say "  macOS:          brew install ${missing[*]}"
    exit 1
  fi
  local v
  v=$(haproxy -v 2>/dev/null | sed -n 's/^HA-\{0,1\}Proxy version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -n 1)
  local major=${v%% *} minor=${v##* }
  if is_uint "${major:-x}" && is_uint "${minor:-x}" && ((major < 2 || (major == 2 && minor < 4))); then
    die "HAProxy $major.$minor is too old: the config needs 2.4+ (tested with 2.6)"
  fi
}

# Stats credentials: from the environment, else from the run dir, else new.
load_credentials() {
  if [[ -n ${TANDEM_STATS_USER:-} && -n ${TANDEM_STATS_PASSWORD:-} ]]; then
    STATS_USER=$TANDEM_STATS_USER STATS_PASSWORD=$TANDEM_STATS_PASSWORD CREDS_FROM=environment
    return
  fi
  STATS_USER="" STATS_PASSWORD=""
  if [[ -f $RUN/stats.env ]]; then
    local k v
    while IFS='=' read -r k v; do
      case $k in
        TANDEM_STATS_USER) STATS_USER=$v ;;
        TANDEM_STATS_PASSWORD) STATS_PASSWORD=$v ;;
      esac
    done <"$RUN/stats.env"
  fi
  CREDS_FROM=$RUN/stats.env
  if [[ -z $STATS_USER || -z $STATS_PASSWORD ]]; then
    STATS_USER="admin"
    # od reads exactly 16 bytes: no SIGPIPE games under pipefail.
    STATS_PASSWORD=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    (umask 077 && printf 'TANDEM_STATS_USER=%s\nTANDEM_STATS_PASSWORD=%s\n' "$STATS_USER" "$STATS_PASSWORD" >"$RUN/stats.env")
  fi
  chmod 600 "$RUN/stats.env"
}

# Renders and checks $CFG. Run before any node starts: --balance and --weights are the
# renderer's to check, and a bad value stops `up` with its message and nothing started.
render_config() {
  local i args=()
  for ((i = 1; i <= NODES; i++)); do args+=(--node "n$i=$(node_addr "$i")"); done
  [[ -z $WEIGHTS ]] || args+=(--weights "$WEIGHTS")
  # unix socket paths are limited to ~104 bytes (macOS) / 108 (Linux)
  ((${#SOCK} < 100)) || die "run dir path too long for a unix socket ($SOCK); set a shorter TANDEM_LAB_DIR"
  "$REPO/haproxy/render-haproxy.sh" --bind "$(vip_addr)" --stats-bind "$(stats_addr)" --socket "$SOCK" \
    --balance "$BALANCE" --agent-port "+$AGENT_OFFSET" --max-queued "$MAX_QUEUED" --queue-ms "$QUEUE_MS" --log stdout "${args[@]}" >"$CFG.tmp" || die "cannot render the HAProxy config (above)"
  TANDEM_STATS_USER=$STATS_USER TANDEM_STATS_PASSWORD=$STATS_PASSWORD haproxy -c -q -f "$CFG.tmp" ||
    die "rendered HAProxy config is invalid: $CFG.tmp"
  mv "$CFG.tmp" "$CFG"
}

start_haproxy() {
  local a
  for a in "$(vip_addr)" "$(stats_addr)"; do
    port_free "$a" || die "$a is already in use by another process"
  done
  rm -f "$SOCK"
  # Foreground process (no -D) in the background: its "log stdout" lines go
  # to the log file, and the pid we get is HAProxy's. stderr repeats every
  # event as a [WARNING]/[ALERT] line, so it gets a file of its own.
  TANDEM_STATS_USER=$STATS_USER TANDEM_STATS_PASSWORD=$STATS_PASSWORD \
    spawn haproxy "$RUN" "$RUN/logs/haproxy.log" "$RUN/logs/haproxy.stderr.log" haproxy -f "$CFG"
  say "  haproxy: pid $SPAWNED, VIP http://$(vip_addr)/, stats http://$(stats_addr)/, log $RUN/logs/haproxy.log"
  local deadline=$((SECONDS + 10))
  until [[ -S $SOCK && $(http_code "http://$(vip_addr)/lb/health" 1) != 000 ]]; do
    haproxy_alive || { tail -n 20 "$RUN/logs/haproxy.stderr.log" >&2 || true; die "haproxy exited"; }
    ((SECONDS < deadline)) || die "haproxy not listening on $(vip_addr) after 10 s"
    sleep 0.1
  done
}
