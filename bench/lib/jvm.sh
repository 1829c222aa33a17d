# shellcheck shell=bash
# Sourced by the bench scripts that stop their servers with SIGKILL.

# kill_jvm PID...: kills each process (a JVM, or another server of a bench) with SIGKILL, waits for
# it, then removes the attach socket (/tmp/.java_pidPID) a JVM opens once jcmd attaches to it: a JVM
# killed so cannot remove its own, and each run that attached one left one in /tmp.
kill_jvm() {
  local p
  for p in "$@"; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    rm -f "/tmp/.java_pid$p"
  done
}
