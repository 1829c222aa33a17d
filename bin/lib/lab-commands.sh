# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2153
# The subcommands that change a running lab: kill, drain, start, restart, logs, down.

# ---------------------------------------------------------------- commands

cmd_kill() {
  case ${1:-} in
    -h|--help|"")
      say "Usage: bin/$PROG kill NODE      kill -9 NODE (e.g. n2) and report when HAProxy marks it DOWN"
      if [[ -z ${1:-} ]]; then return 2; fi
      return 0 ;;
  esac
  load_settings || die "no lab in $RUN"
  local i pid t0
  i=$(node_index "$1")
  lock
  pid=$(lab_pid "n$i") || { say "n$i is not running"; return 0; }
  t0=$(now_ms)
  lab_signal "n$i" KILL
  say "killed n$i (pid $pid)"
  # HAProxy first: the time printed is its detection time, not the kernel's reaping.
  if haproxy_alive; then
    if wait_hap_state "n$i" DOWN 15; then
      say "HAProxy marked n$i DOWN after $(since "$t0")"
    else
      warn "HAProxy still shows n$i as $(hap_state "n$i") after 15 s"
    fi
  fi
  wait_gone 10 "$pid" || warn "n$i (pid $pid) still there 10 s after SIGKILL"
  rm -f "$(pidfile "n$i")"
}

cmd_drain() {
  case ${1:-} in
    -h|--help|"")
      cat <<EOF
Usage: bin/$PROG drain NODE

Graceful stop of NODE: HAProxy "set server tandem/NODE state drain" (no new
sessions), then POST http://NODE/admin/drain (the node turns not-ready, keeps
serving for its drain time, stops Jetty, leaves the cluster, exits); waits for
the process to exit (TANDEM_LAB_STOP_TIMEOUT, 60 s), then "state maint": HAProxy
shows the node MAINT (taken out on purpose), not DOWN like a crashed one.
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
SIGKILL after TANDEM_LAB_STOP_TIMEOUT (default 60 s). Every process the lab
starts has a pid file in $RUN/pids (written the moment it is started) and its
own process group, so this also cleans up after a crashed or killed $PROG
and catches the server JVM a WAR node's start.jar forked. Logs are kept.
EOF
    return 0
  fi
  [[ -d $RUN ]] || { say "nothing to stop ($RUN does not exist)"; return 0; }
  lock force
  local n names="" t0 timeout=${TANDEM_LAB_STOP_TIMEOUT:-60}
  for n in $(lab_names); do
    if lab_alive "$n"; then names+="$n "; else rm -f "$(pidfile "$n")"; fi
  done
  if [[ -z $names ]]; then
    say "nothing running in $RUN"
  else
    t0=$(now_ms)
    say "stopping ${names% } (SIGTERM, SIGKILL after $timeout s)"
    # shellcheck disable=SC2086 # list of names
    lab_stop TERM "$timeout" $names
    say "stopped in $(since "$t0")"
  fi
  rm -f "$SOCK"
  say "logs kept in $RUN/logs"
}
