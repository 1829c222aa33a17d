# shellcheck shell=bash
# Sourced by bench/side-by-side, bench/warmup and bench/profile: wrk runs, read one way by all.
# Each prints "ok_per_s p99_ms requests non2xx" (ok_per_s counts 2xx/3xx answers only; p99 in ms
# whatever unit wrk chose).

# wrk_read: one wrk --latency output on stdin, as that line.
wrk_read() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { n = $1; d = $4; sub(/s,?$/, "", d) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %d %d\n", (d > 0 ? (n - bad) / d : 0), p99, n, bad }'
}

# wrk_slice CPU SECONDS URL [WRK ARGS...]: wrk -t1 -c64 pinned to CPU for SECONDS.
wrk_slice() {
  local cpu=$1 secs=$2 url=$3; shift 3
  taskset -c "$cpu" wrk -t1 -c64 -d"${secs}s" --latency "$@" "$url" 2>/dev/null | wrk_read
}

# wrk_spread CPU SECONDS "URL URL..." [WRK ARGS...]: the same 64 connections spread over the URLs
# (one wrk -t1 each, at once, all on CPU), summed. Its p99 is the highest of theirs: an upper bound
# of the whole's, since no part has more than 1 % of its requests above it.
wrk_spread() {
  local cpu=$1 secs=$2 i=0 tmp u; shift 2
  local -a urls
  read -r -a urls <<<"$1"; shift
  tmp=$(mktemp -d)
  for u in "${urls[@]}"; do
    # 64 connections in all: the first 64 % n URLs get one more.
    taskset -c "$cpu" wrk -t1 -c$((64 / ${#urls[@]} + (i < 64 % ${#urls[@]}))) -d"${secs}s" --latency "$@" "$u" \
      2>/dev/null | wrk_read >"$tmp/$i" &
    i=$((i + 1))
  done
  wait
  cat "$tmp"/* | awk '{ ok += $1; if ($2 > p99) p99 = $2; n += $3; bad += $4 } END { printf "%.0f %.2f %d %d\n", ok, p99, n, bad }'
  rm -rf "$tmp"
}
