# shellcheck shell=bash
# Sourced by bench scripts that start a node and time it to ready.

# await_ready URL PID T0_MS SECONDS: polls URL every 50 ms until it answers 200 and sets ready_ms
# (milliseconds since T0_MS, from date +%s%3N). Fails when PID exits first or SECONDS pass.
await_ready() {
  local url=$1 pid=$2 t0=$3 deadline=$(($(date +%s) + $4))
  # shellcheck disable=SC2034 # ready_ms is for the caller
  while (($(date +%s) < deadline)); do
    [[ $(curl -s -m 1 -o /dev/null -w '%{http_code}' "$url" || true) == 200 ]] && { ready_ms=$(($(date +%s%3N) - t0)); return 0; }
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
