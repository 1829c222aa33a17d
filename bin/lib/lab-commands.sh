# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2119,SC2120,SC2153
# The subcommands: up, status, kill, drain, start, restart, logs, down.

# ---------------------------------------------------------------- commands

cmd_up() {
  local want_nodes="" want_war=0 want_balance=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --nodes) [[ $# -ge 2 ]] || die "--nodes needs a number"; want_nodes=$2; shift 2 ;;
      --war) want_war=1; shift ;;
      --balance) [[ $# -ge 2 ]] || die "--balance needs a value"; want_balance=$2; shift 2 ;;
      -h|--help)
        cat <<EOF
Usage: bin/$PROG up [--nodes N] [--war] [--balance roundrobin|leastconn]

Starts N nodes (default TANDEM_LAB_NODES or 3) and HAProxy, waits until every
node answers /health/ready with 200 and HAProxy sees it UP, then prints the
URLs. --war runs the nodes from the WAR in a Jetty distribution
(TANDEM_LAB_MODE=war). Installs HAProxy (root on Debian/Ubuntu) or tells you
how; builds the jar with Maven only when it is missing.
Already up: reports status. Partly up (crash, kill): starts what is missing.
EOF
        return 0 ;;
      *) die "up: unknown option '$1' (see bin/$PROG up --help)" ;;
    esac
  done
  lock
  local running=0
  if load_settings && { haproxy_alive || [[ -n $(all_lab_pids) ]]; }; then running=1; fi
  if ((running)); then
    # Keep the running lab's settings; refuse contradicting flags.
    [[ -z $want_nodes || $want_nodes == "$NODES" ]] || die "lab in $RUN runs $NODES nodes; run 'bin/$PROG down' first"
    [[ -z $want_balance || $want_balance == "$BALANCE" ]] || die "lab in $RUN uses --balance $BALANCE; run 'bin/$PROG down' first"
    ((!want_war)) || [[ $MODE == war ]] || die "lab in $RUN runs in $MODE mode; run 'bin/$PROG down' first"
  else
    settings_from_env
    [[ -z $want_nodes ]] || NODES=$want_nodes
    ((!want_war)) || MODE=war
    [[ -z $want_balance ]] || BALANCE=$want_balance
    validate_settings
    detect_addressing
    validate_settings
  fi

  local i missing=0
  for ((i = 1; i <= NODES; i++)); do node_alive "$i" || missing=$((missing + 1)); done
  if ((running && missing == 0)) && haproxy_alive; then
    say "lab already up in $RUN"
    cmd_status || true
    return 0
  fi

  ensure_haproxy_installed
  ensure_artifacts
  mkdir -p "$RUN/logs" "$RUN/pids" "$RUN/nodes"
  save_settings
  load_credentials
  local t0
  t0=$(now_ms)
  say "starting Tandem lab in $RUN ($NODES nodes, $MODE mode, balance $BALANCE)"
  for ((i = 1; i <= NODES; i++)); do
    if node_alive "$i"; then
      say "  n$i: already running (pid $(node_pids "n$i"))"
    else
      check_node_ports_free "$i"
      start_node_process "$i"
    fi
  done
  if haproxy_alive; then say "  haproxy: already running (pid $(haproxy_pids))"; else start_haproxy; fi

  local timeout=${TANDEM_LAB_TIMEOUT:-180}
  say "waiting for /health/ready on every node (up to $timeout s) ..."
  for ((i = 1; i <= NODES; i++)); do
    wait_ready "$i" "$timeout" || die "n$i did not become ready; see $RUN/logs/n$i.log ('bin/$PROG down' cleans up)"
  done
  say "  all nodes ready after $(since "$t0")"
  local members_deadline=$((SECONDS + 60))
  for ((i = 1; i <= NODES; i++)); do wait_members "$i" "$NODES" $((members_deadline - SECONDS)) || true; done
  for ((i = 1; i <= NODES; i++)); do
    hap_set "n$i" ready # a node drained earlier stays drained otherwise
    wait_hap_state "n$i" UP 15 || die "HAProxy does not see n$i UP (state $(hap_state "n$i"))"
  done
  say "  HAProxy sees all $NODES nodes UP after $(since "$t0")"
  print_summary
}

print_summary() {
  local vip jar=$RUN/cookies.txt
  vip="http://$(vip_addr)"
  cat <<EOF

Tandem lab is up ($NODES nodes).
  VIP:    $vip/          (balancer health: $vip/lb/health)
  stats:  http://$(stats_addr)/   user '$STATS_USER' password '$STATS_PASSWORD' (from $CREDS_FROM)
  run dir $RUN   -> bin/$PROG status | logs n1 | down

Try failover:
  curl -si -c $jar -b $jar -H 'Content-Type: application/json' -d '{"sku":"tea","qty":2}' $vip/api/cart/items | grep -i '^x-tandem-node'
  bin/$PROG kill nX      # X = the node that answered
  curl -si -c $jar -b $jar $vip/api/cart    # same cart, served by another node; then: bin/$PROG start nX
EOF
}

cmd_status() {
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    cat <<EOF
Usage: bin/$PROG status

Run dir, HAProxy pid and, per node: pid, /health/ready, HAProxy server state
(runtime socket "show stat") and the cluster members the node reports.
Exit status: 0 everything up, 1 degraded, 3 not running.
EOF
    return 0
  fi
  if ! load_settings; then
    say "no lab in $RUN (run: bin/$PROG up)"
    return 3
  fi
  local hp ok=1 any=0 shared=""
  hp=$(haproxy_pids)
  ((!SHARED)) || shared=", all on 127.0.0.1"
  say "run dir: $RUN   ($NODES nodes, $MODE mode, balance $BALANCE$shared)"
  if [[ -n $hp ]]; then
    any=1
    say "haproxy: pid $hp   VIP http://$(vip_addr)/ (lb/health $(http_code "http://$(vip_addr)/lb/health" 1))   stats http://$(stats_addr)/"
  else
    ok=0
    say "haproxy: not running"
  fi
  printf '%-5s %-22s %-12s %-6s %-10s %s\n' NODE ADDRESS PID READY HAPROXY MEMBERS
  local i pids ready st m
  for ((i = 1; i <= NODES; i++)); do
    pids=$(node_pids "n$i")
    if [[ -n $pids ]]; then
      any=1
      ready=$(http_code "http://$(node_addr "$i")/health/ready" 1)
      m=$(members_of "$i")
    else
      pids=-
      ready=-
      m=""
      [[ ! -f $(pidfile "n$i") ]] || pids="dead($(cat "$(pidfile "n$i")"))"
    fi
    st=-
    if [[ -n $hp ]]; then st=$(hap_state "n$i"); fi
    [[ $ready == 200 && $st == UP ]] || ok=0
    printf '%-5s %-22s %-12s %-6s %-10s %s\n' "n$i" "$(node_addr "$i")" "$pids" "$ready" "$st" "${m:--}"
  done
  ((any)) || return 3
  ((ok)) || return 1
  return 0
}

cmd_kill() {
  case ${1:-} in
    -h|--help|"")
      say "Usage: bin/$PROG kill NODE      kill -9 NODE (e.g. n2) and report when HAProxy marks it DOWN"
      if [[ -z ${1:-} ]]; then return 2; fi
      return 0 ;;
  esac
  load_settings || die "no lab in $RUN"
  local i pids t0
  i=$(node_index "$1")
  lock
  pids=$(node_pids "n$i")
  [[ -n $pids ]] || { say "n$i is not running"; return 0; }
  t0=$(now_ms)
  # shellcheck disable=SC2086 # list of pids
  kill -KILL $pids 2>/dev/null || true
  rm -f "$(pidfile "n$i")"
  say "killed n$i (pid $pids)"
  if haproxy_alive; then
    if wait_hap_state "n$i" DOWN 15; then
      say "HAProxy marked n$i DOWN after $(since "$t0")"
    else
      warn "HAProxy still shows n$i as $(hap_state "n$i") after 15 s"
    fi
  fi
}

cmd_drain() {
  case ${1:-} in
    -h|--help|"")
      cat <<EOF
Usage: bin/$PROG drain NODE

Graceful stop of NODE: HAProxy "set server tandem/NODE state drain" (no new
sessions), then POST http://NODE/admin/drain (the node turns not-ready, keeps
serving for its drain time, stops Jetty, leaves the cluster, exits); waits for
the process to exit (TANDEM_LAB_STOP_TIMEOUT, 60 s).
EOF
      if [[ -z ${1:-} ]]; then return 2; fi
      return 0 ;;
  esac
  load_settings || die "no lab in $RUN"
  local i
  i=$(node_index "$1")
  lock
  drain_node "$i"
}

cmd_start() {
  case ${1:-} in
    -h|--help|"")
      cat <<EOF
Usage: bin/$PROG start NODE

Starts NODE again with the same arguments, waits until /health/ready is 200,
then "set server tandem/NODE state ready" and waits until HAProxy sees it UP.
EOF
      if [[ -z ${1:-} ]]; then return 2; fi
      return 0 ;;
  esac
  load_settings || die "no lab in $RUN (run: bin/$PROG up)"
  local i t0
  i=$(node_index "$1")
  lock
  ensure_artifacts
  t0=$(now_ms)
  start_node "$i"
  say "n$i started in $(since "$t0")"
}

cmd_restart() {
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    cat <<EOF
Usage: bin/$PROG restart

Rolling restart, one node at a time: drain -> wait for exit -> start -> wait
until ready, back in the cluster and UP in HAProxy -> next node. The VIP keeps
serving throughout.
EOF
    return 0
  fi
  [[ $# -eq 0 ]] || die "restart takes no arguments"
  load_settings || die "no lab in $RUN (run: bin/$PROG up)"
  lock
  ensure_artifacts
  local i t0
  t0=$(now_ms)
  for ((i = 1; i <= NODES; i++)); do
    say "restarting n$i"
    drain_node "$i"
    start_node "$i"
  done
  say "rolling restart of $NODES nodes done in $(since "$t0")"
}

cmd_logs() {
  local name="" lines=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      -n)
        if [[ $# -lt 2 ]] || ! is_uint "$2"; then die "-n needs a number"; fi
        lines=$2
        shift 2 ;;
      -h|--help)
        say "Usage: bin/$PROG logs NODE|haproxy [-n LINES]   follow the log, or print its last LINES lines"
        return 0 ;;
      *) [[ -z $name ]] || die "logs: one NODE only"; name=$1; shift ;;
    esac
  done
  [[ -n $name ]] || die "Usage: bin/$PROG logs NODE|haproxy [-n LINES]"
  load_settings || true
  [[ $name == haproxy ]] || name=n$(node_index "$name")
  local f=$RUN/logs/$name.log
  [[ -f $f ]] || die "no log $f"
  if [[ -n $lines ]]; then tail -n "$lines" "$f"; else tail -n 50 -f "$f"; fi
}

cmd_down() {
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    cat <<EOF
Usage: bin/$PROG down

Stops everything started from this run dir: SIGTERM (nodes drain), then
SIGKILL after TANDEM_LAB_STOP_TIMEOUT (default 60 s). Processes are found by pid
file and by their command line (which names the run dir), so this also
cleans up after a crashed or killed $PROG. Logs are kept.
EOF
    return 0
  fi
  [[ -d $RUN ]] || { say "nothing to stop ($RUN does not exist)"; return 0; }
  lock force
  local pids f p
  pids=$(all_lab_pids)
  # pid files whose process still runs our command (pid reuse safe)
  for f in "$RUN"/pids/*.pid; do
    [[ -f $f ]] || continue
    p=$(cat "$f" 2>/dev/null || true)
    if is_uint "${p:-x}" && [[ " $pids " != *" $p "* ]]; then
      case $(ps -ww -p "$p" -o command= 2>/dev/null || true) in
        *"$RUN"*) pids+=" $p" ;;
      esac
    fi
  done
  pids=${pids# }
  if [[ -z $pids ]]; then
    say "nothing running in $RUN"
  else
    local timeout=${TANDEM_LAB_STOP_TIMEOUT:-60} t0
    t0=$(now_ms)
    say "stopping pids $pids (SIGTERM, SIGKILL after $timeout s)"
    # shellcheck disable=SC2086 # list of pids
    kill -TERM $pids 2>/dev/null || true
    # shellcheck disable=SC2086
    if ! wait_gone "$timeout" $pids; then
      warn "still running after $timeout s, sending SIGKILL"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      # shellcheck disable=SC2086
      wait_gone 10 $pids || die "could not stop: $pids"
    fi
    # A crash may have left a process started between the two looks.
    pids=$(all_lab_pids)
    if [[ -n $pids ]]; then
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      # shellcheck disable=SC2086
      wait_gone 10 $pids || die "could not stop: $pids"
    fi
    say "stopped in $(since "$t0")"
  fi
  rm -f "$RUN"/pids/*.pid "$SOCK"
  say "logs kept in $RUN/logs"
}
