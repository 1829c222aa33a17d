# shellcheck shell=bash
# shellcheck disable=SC2154 # repo, run_dir, raw, client_cpu, max_warm, jar, jvm, args: set by the sourcing script
# Sourced by bench/side-by-side and bench/pairs: how a cell's servers are started, warmed to their
# plateau and measured, and how each figure is recorded. Uses the caller's globals: repo, run_dir,
# raw (the records), pids (every process started, for the caller's cleanup), client_cpu, max_warm,
# jar and jvm (the Tandem jar and every JVM's options), args (wrk's arguments by cell, for wrk_args).

log() { printf '%s %s\n' "$(date -u +%T)" "$*" >&2; }
record() { (IFS=$'\t'; echo "$*") >>"$raw"; }

# launch NAME CPU COMMAND...: starts a server in the background, pinned; sets launched_pid.
launch() {
  local name=$1 cpu=$2; shift 2
  launched_at=$(date +%s%3N)
  taskset -c "$cpu" "$@" >"$run_dir/$name.log" 2>&1 &
  launched_pid=$!
  pids+=("$launched_pid")
}

# Every Java cell also logs its collections (heap used before and after each, with the time): the
# heap allocated per request is summed from them. Not JFR: starting a recording in a warm JVM cost
# it 40-80 % of its throughput for tens of seconds here (deoptimization), which is what a
# first version of this suite measured.
gclog() { echo "-Xlog:gc:file=$run_dir/$1-gc.log:time"; }

read -r -a node_opts <<<"${TANDEM_BENCH_NODE_OPTS:-}" # more node options, to measure an alternative
# Product defaults but one: the node's request limit is wrk's 64 connections (--max-requests 64),
# so the cells measure the request paths, as the issue's cells did, and not the node's admission
# control, which is issue 15's (bench/overload). With the product's limit (16) and queue (8) a
# closed-loop client of 64 connections has 40 refused at once, and they come straight back (C2:
# 555 OK req/s next to 19k refusals a second); a queue of 48 measured the same as no limit
# (bench/side/README.md).
tandem() { # tandem NAME CPU [NODE OPTIONS...]
  local name=$1 cpu=$2; shift 2
  launch "$name" "$cpu" java "${jvm[@]}" "$(gclog "$name")" -Djava.net.preferIPv4Stack=true -jar "$jar" --node "$name" --port 8080 \
    --max-requests 64 "${node_opts[@]}" "$@"
}

# wait_ok URL PID: until URL answers 200 (polled every 50 ms, at most ~3 min); sets ready_ms.
wait_ok() {
  local url=$1 pid=$2 deadline=$(($(date +%s) + 180))
  while (($(date +%s) < deadline)); do
    # shellcheck disable=SC2034 # ready_ms is for the caller
    [[ $(curl -s -m 1 -o /dev/null -w '%{http_code}' "$url" || true) == 200 ]] && { ready_ms=$(($(date +%s%3N) - launched_at)); return; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: $url never answered 200; last lines of the servers' logs:" >&2
  tail -n 20 "$run_dir"/*.log >&2
  exit 1
}

# slice SECONDS URL [WRK ARGS...]: one wrk run from the client's CPU; prints "ok_per_s p99_ms requests non2xx".
# URL may be several, space-separated: wrk's 64 connections are then spread over them (D3).
# shellcheck source=bench/lib/wrk.sh
. "$repo/bench/lib/wrk.sh"
slice() { if [[ $2 == *" "* ]]; then wrk_spread "$client_cpu" "$@"; else wrk_slice "$client_cpu" "$@"; fi; }

# jit_ticks and jit_seconds: the JIT compilers' CPU per slice.
# shellcheck source=bench/lib/jit.sh
. "$repo/bench/lib/jit.sh"

# warm CELL MIN_SECONDS PIDS URL [WRK ARGS...]: the warm-up curve, 5 s slices until the plateau
# rule holds: two slices within 5 % while the servers' JIT compilers used under 5 % of the slice.
# The rate alone is not enough: the tiered JIT's ramp has flat steps (C1 here: 12.8k and 12.9k
# req/s at 95-100 s, then 20-22k from 125 s on), and a rule that stops on one measures a JVM half
# compiled.
warm() {
  local cell=$1 min=$2 servers=$3 url=$4 t=0 prev=0 rps p99 n bad j0 j1 jit; shift 4
  j0=$(jit_ticks "$servers")
  while :; do
    read -r rps p99 n bad < <(slice 5 "$url" "$@")
    j1=$(jit_ticks "$servers")
    jit=$(jit_seconds "$j0" "$j1") j0=$j1
    record curve "$cell" "$t" "$rps" "$p99" "$bad" "$jit"
    t=$((t + 5))
    if ((t >= min && prev > 0)) && awk -v a="$prev" -v b="$rps" -v j="$jit" 'BEGIN { d = (b - a) / a; exit !(d < 0.05 && d > -0.05 && j < 0.25) }'; then break; fi
    ((t >= max_warm && t >= min)) && break # at most max_warm, unless the cell's own minimum is longer
    prev=$rps
  done
  log "$cell warm after ${t} s: $rps req/s"
}

cpu_ticks() { # PID[,PID...]: their user + system ticks together
  local p t=0
  for p in ${1//,/ }; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo "$t"
}

# timed_slice SECONDS PIDS URL [WRK ARGS...]: one slice, and the CPU the PIDS spent a request in it
# (their /proc ticks); prints "ok_per_s p99_ms requests non2xx cpu_us_per_request".
timed_slice() {
  local secs=$1 servers=$2 before after rps p99 n bad; shift 2
  before=$(cpu_ticks "$servers")
  read -r rps p99 n bad < <(slice "$secs" "$@")
  after=$(cpu_ticks "$servers")
  echo "$rps $p99 $n $bad $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')"
}

# wrk_args KEY: the caller's args[KEY] (a cell's own wrk arguments, one a line) into the array extra.
# shellcheck disable=SC2034 # extra is for the caller
wrk_args() { extra=(); [[ -z ${args[$1]:-} ]] || mapfile -t extra <<<"${args[$1]}"; }

# measure CELL SERVER PIDS URL [WRK ARGS...]: 3 × 10 s; CPU per request from the PIDS' ticks; the
# window's start and end and the server's name, for the heap allocated in it (its GC log, if any).
measure() {
  local cell=$1 server=$2 pid=$3 url=$4 r rps p99 n bad us start refused=0; shift 4
  start=$(date +%s%3N)
  for r in 1 2 3; do
    read -r rps p99 n bad us < <(timed_slice 10 "$pid" "$url" "$@")
    record run "$cell" "$r" "$rps" "$p99" "$bad" "$n" "$us"
    refused=$((refused + bad))
  done
  record window "$cell" "$start" "$(date +%s%3N)" "$server"
  log "$cell measured"
  # Answers that were not 2xx have their cause in the servers' logs, which go with the run's directory.
  if ((refused > 0)) && [[ -n ${keep_logs:-} ]]; then
    mkdir -p "$keep_logs/$cell" && cp "$run_dir"/*.log "$keep_logs/$cell/"
    log "$cell: $refused answers not 2xx; the servers' logs are kept in $keep_logs/$cell"
  fi
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
