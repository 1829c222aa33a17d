# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2119,SC2120,SC2153
# The subcommands that start and describe the lab: up, status.

cmd_up() {
  local want_nodes="" want_war=0 want_balance="" want_weights=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --nodes) [[ $# -ge 2 ]] || die "--nodes needs a number"; want_nodes=$2; shift 2 ;;
      --war) want_war=1; shift ;;
      --balance) [[ $# -ge 2 ]] || die "--balance needs a value"; want_balance=$2; shift 2 ;;
      --weights) [[ $# -ge 2 ]] || die "--weights needs a value (e.g. n1=3,n2=1)"; want_weights=$2; shift 2 ;;
      -h|--help)
        cat <<EOF
Usage: bin/$PROG up [--nodes N] [--war] [--balance ALGO] [--weights n1=3,n2=1,...]

Starts N nodes (default TANDEM_LAB_NODES or 3) and HAProxy, waits until every
node answers /health/ready with 200 and HAProxy sees it UP, then prints the
URLs. --war runs the nodes from the WAR in a Jetty distribution
(TANDEM_LAB_MODE=war). --balance picks how HAProxy spreads requests that
carry no session: roundrobin (default), leastconn, source or uri; --weights
gives nodes HAProxy weights (default 1 each, 0 = no balanced traffic).
Requests with a session always go to the node named in their cookie.
Installs HAProxy, socat and jq (root on Debian/Ubuntu) or tells you how;
builds the jar with Maven only when it is missing.
Already up: reports status. Partly up (crash, kill): starts what is missing.
EOF
        return 0 ;;
      *) die "up: unknown option '$1' (see bin/$PROG up --help)" ;;
    esac
  done
  lock
  local running=0
  local n
  if load_settings; then
    for n in $(lab_names); do lab_alive "$n" && running=1; done
  fi
  if ((running)); then
    # Keep the running lab's settings; refuse contradicting flags.
    [[ -z $want_nodes || $want_nodes == "$NODES" ]] || die "lab in $RUN runs $NODES nodes; run 'bin/$PROG down' first"
    [[ -z $want_balance || $want_balance == "$BALANCE" ]] || die "lab in $RUN uses --balance $BALANCE; run 'bin/$PROG down' first"
    [[ -z $want_weights || $want_weights == "$WEIGHTS" ]] || die "lab in $RUN uses --weights '$WEIGHTS'; run 'bin/$PROG down' first"
    ((!want_war)) || [[ $MODE == war ]] || die "lab in $RUN runs in $MODE mode; run 'bin/$PROG down' first"
  else
    settings_from_env
    [[ -z $want_nodes ]] || NODES=$want_nodes
    ((!want_war)) || MODE=war
    [[ -z $want_balance ]] || BALANCE=$want_balance
    [[ -z $want_weights ]] || WEIGHTS=$want_weights
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

  ensure_tools_installed
  mkdir -p "$RUN/logs" "$RUN/pids" "$RUN/nodes"
  load_credentials
  haproxy_alive || render_config
  ensure_artifacts
  save_settings
  local t0
  t0=$(now_ms)
  say "starting Tandem lab in $RUN ($NODES nodes, $MODE mode, balance $BALANCE${WEIGHTS:+, weights $WEIGHTS})"
  for ((i = 1; i <= NODES; i++)); do
    if node_alive "$i"; then
      say "  n$i: already running (pid $(lab_pid "n$i"))"
    else
      check_node_ports_free "$i"
      start_node_process "$i"
    fi
  done
  if haproxy_alive; then say "  haproxy: already running (pid $(lab_pid haproxy))"; else start_haproxy; fi

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
  dashboard: $vip/lab/   (live: nodes, HAProxy's view, a timeline; keep it open)
  stats:  http://$(stats_addr)/   user '$STATS_USER' password '$STATS_PASSWORD' (from $CREDS_FROM)
  run dir $RUN   -> bin/$PROG status | logs n1 | down

Try failover (N = the node that served, from the X-Tandem-Node header):
  J=$jar; rm -f \$J
  N=\$(curl -s -o /dev/null -D - -c \$J -b \$J -H 'Content-Type: application/json' -d '{"sku":"tea","qty":2}' $vip/api/cart/items | tr -d '\r' | awk -F': ' 'tolower(\$1) == "x-tandem-node" { print \$2 }'); echo "served by \$N"
  bin/$PROG kill \$N
  curl -si -c \$J -b \$J $vip/api/cart    # same cart, served by another node; then: bin/$PROG start \$N
EOF
}

cmd_status() {
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    cat <<EOF
Usage: bin/$PROG status

Run dir, HAProxy pid and, per node: pid, /health/ready, HAProxy's view from
its runtime socket ("show stat": state, last check, weight) and the cluster
members the node reports. HAProxy states: UP; DOWN with check L4CON (nothing
listens: crashed or killed) or L7STS (answers 503: starting, draining); DRAIN
(no new sessions, by \`drain\`); MAINT (taken out on purpose: drained and exited).
Exit status: 0 everything up, 1 degraded, 3 not running.
EOF
    return 0
  fi
  if ! load_settings; then
    say "no lab in $RUN (run: bin/$PROG up)"
    return 3
  fi
  local hp ok=1 any=0 shared=""
  hp=$(lab_pid haproxy || true)
  ((!SHARED)) || shared=", all on 127.0.0.1"
  say "run dir: $RUN   ($NODES nodes, $MODE mode, balance $BALANCE${WEIGHTS:+, weights $WEIGHTS}$shared)"
  if [[ -n $hp ]]; then
    any=1
    say "haproxy: pid $hp   VIP http://$(vip_addr)/ (lb/health $(http_code "http://$(vip_addr)/lb/health" 1))   stats http://$(stats_addr)/"
  else
    ok=0
    say "haproxy: not running"
  fi
  local fmt='%-5s %-22s %-12s %-6s %-9s %-8s %-7s %s\n'
  # shellcheck disable=SC2059 # the format is a constant
  printf "$fmt" NODE ADDRESS PID READY HAPROXY CHECK WEIGHT MEMBERS
  local i pid ready st check weight m
  for ((i = 1; i <= NODES; i++)); do
    if pid=$(lab_pid "n$i"); then
      any=1
      ready=$(http_code "http://$(node_addr "$i")/health/ready" 1)
      m=$(members_of "$i")
    else
      pid=- ready=- m=""
      [[ ! -f $(pidfile "n$i") ]] || pid="dead($(<"$(pidfile "n$i")"))"
    fi
    st=- check=- weight=-
    if [[ -n $hp ]]; then
      IFS='|' read -r st check weight <<<"$(hap_states | awk -F'|' -v n="n$i" '$1 == n { print $2 "|" $3 "|" $4 }')"
    fi
    [[ $ready == 200 && $st == UP ]] || ok=0
    # shellcheck disable=SC2059
    printf "$fmt" "n$i" "$(node_addr "$i")" "$pid" "$ready" "${st:--}" "${check:--}" "${weight:--}" "${m:--}"
  done
  ((any)) || return 3
  ((ok)) || return 1
  return 0
}
