# shellcheck shell=bash
# Sourced by bench/side-by-side and bench/warmup: one wrk run, read the same way by both.
# wrk_slice CPU SECONDS URL [WRK ARGS...]: wrk -t1 -c64 pinned to CPU for SECONDS; prints
# "ok_per_s p99_ms requests non2xx" (ok_per_s counts 2xx/3xx answers only; p99 in ms whatever unit wrk chose).
wrk_slice() {
  local cpu=$1 secs=$2 url=$3; shift 3
  taskset -c "$cpu" wrk -t1 -c64 -d"${secs}s" --latency "$@" "$url" 2>/dev/null | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { n = $1; d = $4; sub(/s,?$/, "", d) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %d %d\n", (d > 0 ? (n - bad) / d : 0), p99, n, bad }'
}
