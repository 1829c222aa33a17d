# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2153
# Talking to HAProxy and the nodes; starting, waiting for and draining them; artifacts.

# ---------------------------------------------------------------- HTTP / HAProxy

# HTTP status of a loopback URL, 000 when nothing answers.
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-2}" "$1" 2>/dev/null || true; }

# Send one command to the HAProxy runtime API (unix socket). socat when
# present, else perl (part of every Debian and macOS base system), else python3.
hap() {
  [[ -S $SOCK ]] || return 1
  if command -v socat >/dev/null 2>&1; then
    printf '%s\n' "$1" | socat -t 2 -T 5 - "UNIX-CONNECT:$SOCK"
  elif command -v perl >/dev/null 2>&1; then
    perl -MIO::Socket::UNIX -e '
      alarm 5;
      my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die "connect: $!\n";
      print $s "$ARGV[1]\n"; $s->shutdown(1);
      print while <$s>;' "$SOCK" "$1"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode()); s.shutdown(socket.SHUT_WR)
while True:
    b = s.recv(65536)
    if not b: break
    sys.stdout.write(b.decode())' "$SOCK" "$1"
  else
    die "need socat, perl or python3 to talk to the HAProxy socket"
  fi
}

# "name<TAB>status" for every server of backend tandem (from `show stat`).
hap_states() {
  hap "show stat" 2>/dev/null | awk -F, '
    NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == "tandem" && $2 != "BACKEND" && $2 != "FRONTEND" { print $2 "\t" $col["status"] }'
}
hap_state() {
  local name st
  while IFS=$'\t' read -r name st; do
    if [[ $name == "$1" ]]; then say "$st"; return; fi
  done <<<"$(hap_states)"
  say "?"
}
hap_set() { # NODE drain|ready
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

# Cluster members as reported by the node's /api/node ("members":[...]);
# "?" when the answer has no members array (node not answering, or a build
# without it).
members_of() {
  local json
  json=$(curl -s --max-time 2 "http://$(node_addr "$1")/api/node" 2>/dev/null | tr -d '\n' || true)
  case $json in
    *'"members"'*) printf '%s' "$json" | sed -n 's/.*"members"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p' | tr -d '" ' ;;
    *) printf '?' ;;
  esac
}
count_members() {
  local m=$1
  [[ -n $m ]] || { say 0; return; }
  if [[ $m == *'{'* ]]; then m=${m//[^\{]/}; else m=${m//[^,]/},; fi
  say "${#m}"
}

# ---------------------------------------------------------------- nodes

# Alive by command line (survives a lost pid file) or by the recorded pid (a process that has not
# exec'd java yet still shows as bash).
node_alive() {
  local pid=''
  [[ -f $(pidfile "n$1") ]] && pid=$(<"$(pidfile "n$1")")
  [[ -n $(node_pids "n$1") ]] || { [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; }
}
haproxy_alive() { [[ -n $(haproxy_pids) ]]; }

start_node_process() {
  local i=$1 name=n$1
  local dir=$RUN/nodes/$name log=$RUN/logs/$name.log
  local args=(--node "$name" --host "$(node_ip "$i")" --port "$(node_port "$i")"
    --cluster-host "$(node_ip "$i")" --cluster-port "$(node_cport "$i")" --peers "$(peers)")
  local jopts=() cmd=()
  # word-split on purpose: a list of JVM options in one variable
  read -r -a jopts <<<"${TANDEM_LAB_JAVA_OPTS--Xmx512m -Djava.net.preferIPv4Stack=true}"
  mkdir -p "$dir" "$RUN/logs" "$RUN/pids"
  if [[ $MODE == jar ]]; then
    cmd=(java ${jopts[@]+"${jopts[@]}"} "-Dtandem.lab.node=$dir" -jar "$JAR" "${args[@]}")
  else
    JETTY_HOME=$JETTY "$REPO/bin/tandem-jetty-base" "$dir/jetty-base" "${args[@]}" >>"$log" 2>&1 ||
      die "bin/tandem-jetty-base failed for $name; see $log"
    cmd=(java ${jopts[@]+"${jopts[@]}"} "-Dtandem.lab.node=$dir" -jar "$JETTY/start.jar"
      "jetty.home=$JETTY" "jetty.base=$dir/jetty-base")
  fi
  printf '=== %s %s starting: %s\n' "$(date '+%F %T')" "$name" "${cmd[*]}" >>"$log"
  JETTY_HOME=$JETTY spawn "$dir" "$log" "" "${cmd[@]}"
  say "$SPAWNED" >"$(pidfile "$name")"
  say "  $name: pid $SPAWNED on http://$(node_addr "$i") (cluster $(node_ip "$i"):$(node_cport "$i")), log $log"
}

# Something other than our node already listening would make the node fail
# with a confusing bind error (or, worse, answer in its place).
port_free() { local rc=0; curl -s -o /dev/null --max-time 1 "http://$1/" || rc=$?; ((rc == 7)); }
check_node_ports_free() {
  local i=$1 a
  for a in "$(node_addr "$i")" "$(node_ip "$i"):$(node_cport "$i")"; do
    port_free "$a" || die "$a is already in use by another process (not this lab's n$i)"
  done
}

# Wait for /health/ready = 200; fail fast when the process died.
wait_ready() { # i timeout
  local i=$1 deadline=$((SECONDS + $2)) url
  url="http://$(node_addr "$1")/health/ready"
  until [[ $(http_code "$url" 1) == 200 ]]; do
    if ! node_alive "$i"; then
      warn "n$i exited; last lines of $RUN/logs/n$i.log:"
      tail -n 20 "$RUN/logs/n$i.log" >&2 || true
      return 1
    fi
    ((SECONDS < deadline)) || { warn "n$i not ready after $2 s ($url)"; return 1; }
    sleep 0.25
  done
}

# Best effort: the node's view of the cluster reaches the number of running
# nodes (members[] format is the node's business; only counted here).
wait_members() { # i expected timeout
  local deadline=$((SECONDS + $3)) m
  while :; do
    m=$(members_of "$1")
    [[ $m != '?' ]] || return 0
    (($(count_members "$m") >= $2)) && return 0
    ((SECONDS < deadline)) || { warn "n$1 sees members [$m], expected $2"; return 1; }
    sleep 0.5
  done
}

running_count() { local i c=0; for ((i = 1; i <= NODES; i++)); do node_alive "$i" && c=$((c + 1)); done; say "$c"; }

# Graceful stop: no new balanced traffic, node drains itself (readiness 503 ->
# HAProxy marks it DOWN -> in-flight requests finish), then exits.
drain_node() { # i
  local i=$1 name=n$1 pids code t0
  pids=$(node_pids "$name")
  [[ -n $pids ]] || { say "$name is not running"; return 0; }
  t0=$(now_ms)
  hap_set "$name" drain
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://$(node_addr "$i")/admin/drain" 2>/dev/null || true)
  if [[ $code != 2* ]]; then
    warn "POST /admin/drain on $name answered $code; sending SIGTERM (same drain)"
    # shellcheck disable=SC2086 # list of pids
    kill -TERM $pids 2>/dev/null || true
  fi
  local timeout=${TANDEM_LAB_STOP_TIMEOUT:-60}
  # shellcheck disable=SC2086
  wait_gone "$timeout" $pids || die "$name (pid $pids) still running after $timeout s; 'bin/$PROG kill $name' forces it"
  rm -f "$(pidfile "$name")"
  say "$name drained and exited after $(since "$t0") (HAProxy: $(hap_state "$name"))"
}

start_node() { # i
  local i=$1 name=n$1 t0 expected
  local timeout=${TANDEM_LAB_TIMEOUT:-180}
  if node_alive "$i"; then
    say "$name is already running (pid $(node_pids "$name"))"
  else
    check_node_ports_free "$i"
    start_node_process "$i"
  fi
  t0=$(now_ms)
  wait_ready "$i" "$timeout" || die "$name did not become ready; see $RUN/logs/$name.log"
  say "  $name ready after $(since "$t0")"
  expected=$(running_count)
  wait_members "$i" "$expected" 60 || true
  if haproxy_alive; then
    hap_set "$name" ready
    wait_hap_state "$name" UP 15 || die "HAProxy does not see $name UP (state $(hap_state "$name"))"
    say "  $name UP in HAProxy after $(since "$t0")"
  fi
}

# ---------------------------------------------------------------- HAProxy

ensure_haproxy_installed() {
  if ! command -v haproxy >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 && -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; then
      say "installing haproxy (apt-get)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy ||
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy; }
    else
      say "HAProxy is not installed. Install it, then run bin/$PROG up again:"
      say "  Debian/Ubuntu:  sudo apt-get install -y haproxy"
      say "  macOS:          brew install haproxy"
      exit 1
    fi
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

render_config() {
  local i args=()
  for ((i = 1; i <= NODES; i++)); do args+=(--node "n$i=$(node_addr "$i")"); done
  # unix socket paths are limited to ~104 bytes (macOS) / 108 (Linux)
  ((${#SOCK} < 100)) || die "run dir path too long for a unix socket ($SOCK); set a shorter TANDEM_LAB_DIR"
  "$REPO/haproxy/render-haproxy.sh" --bind "$(vip_addr)" --stats-bind "$(stats_addr)" --socket "$SOCK" \
    --balance "$BALANCE" --log stdout "${args[@]}" >"$CFG.tmp"
  TANDEM_STATS_USER=$STATS_USER TANDEM_STATS_PASSWORD=$STATS_PASSWORD haproxy -c -q -f "$CFG.tmp" ||
    die "rendered HAProxy config is invalid: $CFG.tmp"
  mv "$CFG.tmp" "$CFG"
}

start_haproxy() {
  local a
  for a in "$(vip_addr)" "$(stats_addr)"; do
    port_free "$a" || die "$a is already in use by another process"
  done
  render_config
  rm -f "$SOCK"
  # Foreground process (no -D) in the background: its "log stdout" lines go
  # to the log file, and the pid we get is HAProxy's. stderr repeats every
  # event as a [WARNING]/[ALERT] line, so it gets a file of its own.
  TANDEM_STATS_USER=$STATS_USER TANDEM_STATS_PASSWORD=$STATS_PASSWORD \
    spawn "$RUN" "$RUN/logs/haproxy.log" "$RUN/logs/haproxy.stderr.log" haproxy -f "$CFG"
  say "$SPAWNED" >"$(pidfile haproxy)"
  say "  haproxy: pid $SPAWNED, VIP http://$(vip_addr)/, stats http://$(stats_addr)/, log $RUN/logs/haproxy.log"
  local deadline=$((SECONDS + 10))
  until [[ -S $SOCK && $(http_code "http://$(vip_addr)/lb/health" 1) != 000 ]]; do
    # By pid, not by command line: until the background subshell has exec'd haproxy, ps shows it
    # as bash, and a busy machine can be caught in that moment.
    kill -0 "$SPAWNED" 2>/dev/null || { tail -n 20 "$RUN/logs/haproxy.stderr.log" >&2 || true; die "haproxy exited"; }
    ((SECONDS < deadline)) || die "haproxy not listening on $(vip_addr) after 10 s"
    sleep 0.1
  done
}

# ---------------------------------------------------------------- artifacts

ensure_artifacts() {
  local build=0
  if [[ $MODE == jar ]]; then
    if [[ ! -f $JAR ]]; then
      [[ $JAR == "$REPO/target/tandem.jar" ]] || die "TANDEM_JAR=$JAR does not exist"
      build=1
    fi
  else
    [[ -x $REPO/bin/tandem-jetty-base ]] || die "war mode needs bin/tandem-jetty-base"
    [[ -f $REPO/target/tandem.war && -f $JETTY/start.jar ]] || build=1
  fi
  if ((build)); then
    command -v mvn >/dev/null 2>&1 || die "no node build found and mvn is not installed; run: mvn -B -DskipTests package"
    say "building (mvn -B -q -DskipTests package) ..."
    (cd "$REPO" && mvn -B -q -DskipTests package) || die "build failed"
  fi
  if [[ $MODE == jar ]]; then
    [[ -f $JAR ]] || die "$JAR missing after build"
  else
    [[ -f $JETTY/start.jar ]] || die "JETTY_HOME=$JETTY has no start.jar"
  fi
  command -v java >/dev/null 2>&1 || die "java not found (Java 17+ needed)"
}
