# shellcheck shell=bash
# Sourced by the bench scripts that attach jcmd to a node they kill.

# kill_jvm PID...: kills each JVM with SIGKILL, waits for it, then removes the attach socket
# (/tmp/.java_pidPID) that jcmd made it open: a JVM killed so cannot remove its own, and each run
# left one in /tmp.
kill_jvm() {
  local p
  for p in "$@"; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    rm -f "/tmp/.java_pid$p"
  done
}
