# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2153
# The lab's processes: started in a process group of their own, recorded in a pid file the lab
# owns ($RUN/pids/NAME.pid, NAME = n1.. or haproxy), and signalled as a group through that file.

pidfile() { say "$RUN/pids/$1.pid"; }

# Start a program detached from this script: its own session (setsid) or, where there is no
# setsid (macOS), its own process group (job control); either way its process group id is its
# pid, so a JVM that forks another (Jetty's start.jar) is stopped with it. SIGHUP/SIGINT are
# ignored (what nohup does), so neither Ctrl-C on `up` nor closing the terminal stops the lab.
# stdout goes to LOG, stderr to ERRLOG (default: LOG too). Records the pid in NAME's pid file.
spawn() { # NAME DIR LOG ERRLOG CMD...
  local name=$1 dir=$2 log=$3 errlog=${4:-$3}
  shift 4
  mkdir -p "$RUN/pids"
  if command -v setsid >/dev/null 2>&1; then
    # Not a group leader here (no job control), so setsid makes the session without forking and
    # the pid stays the program's.
    (cd "$dir" && trap '' HUP INT && exec setsid "$@") </dev/null >>"$log" 2>>"$errlog" &
  else
    set -m
    (cd "$dir" && trap '' HUP INT && exec "$@") </dev/null >>"$log" 2>>"$errlog" &
    set +m
  fi
  SPAWNED=$!
  say "$SPAWNED" >"$(pidfile "$name")"
}

# The recorded pid of NAME while its process group lives, else status 1. A live pid must still
# run one of our command lines (they all name the run dir; until the program has exec'd it is
# this script's subshell), or it was reused by someone else's program. A group whose leader
# died (start.jar killed, its server JVM not) is ours: a group id is not reused while it exists.
lab_pid() {
  local f pid cmd
  f=$(pidfile "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  is_uint "${pid:-x}" || return 1
  if kill -0 "$pid" 2>/dev/null; then
    cmd=$(ps -ww -p "$pid" -o command= 2>/dev/null || true)
    [[ $cmd == *"$RUN"* || $cmd == *"$PROG"* ]] || return 1
  elif ! kill -0 -- "-$pid" 2>/dev/null; then
    return 1
  fi
  say "$pid"
}
lab_alive() { lab_pid "$1" >/dev/null; }

# Send SIG to NAME's whole process group (or the pid alone before it has one).
lab_signal() { # NAME SIG
  local pid
  pid=$(lab_pid "$1") || return 0
  kill "-$2" -- "-$pid" 2>/dev/null || kill "-$2" "$pid" 2>/dev/null || true
}

# Names with a pid file, e.g. "n1 n2 haproxy".
lab_names() {
  local f out=""
  for f in "$RUN"/pids/*.pid; do
    [[ -f $f ]] || continue
    f=${f##*/}
    out+="${f%.pid} "
  done
  say "${out% }"
}

# Wait until none of the given pids (and no process in their groups) exists; 1 on timeout.
wait_gone() { # TIMEOUT PID...
  local deadline=$((SECONDS + $1)) p alive
  shift
  while :; do
    alive=""
    for p in "$@"; do
      if kill -0 -- "-$p" 2>/dev/null || kill -0 "$p" 2>/dev/null; then alive+="$p "; fi
    done
    [[ -n $alive ]] || return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Stop NAMEs: SIG (TERM: nodes drain), then SIGKILL after TIMEOUT s; removes their pid files.
lab_stop() { # SIG TIMEOUT NAME...
  local sig=$1 timeout=$2 n p pids=""
  shift 2
  for n in "$@"; do
    if p=$(lab_pid "$n"); then pids+="$p "; lab_signal "$n" "$sig"; fi
  done
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086 # list of pids
    if ! wait_gone "$timeout" $pids; then
      warn "still running after $timeout s, sending SIGKILL: $pids"
      for n in "$@"; do lab_signal "$n" KILL; done
      # shellcheck disable=SC2086
      wait_gone 10 $pids || die "could not stop: $pids"
    fi
  fi
  for n in "$@"; do rm -f "$(pidfile "$n")"; done
}
