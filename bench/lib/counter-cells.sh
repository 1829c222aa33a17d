# shellcheck shell=bash
# shellcheck disable=SC2154 # repo, run_dir, warm, secs: set by the sourcing script
# Counter-write cells for the bench scripts: nodes on 127.0.8.x, a warm-up curve, 3 measured wrk runs;
# and the parts bench/side-by-side and bench/profile use too (make_sessions, turns_lua, writes_lua).
# The caller sets repo, run_dir, warm, secs and the pids array, and stops the nodes on exit.
# shellcheck source=bench/lib/jvm.sh
. "$repo/bench/lib/jvm.sh"
# start_nodes JAR N [SECURITY]: N nodes on 127.0.8.1..N, clustered when N > 1, with the cluster's
# credentials (SECURITY=tls, the default) or --cluster-insecure (SECURITY=insecure).
start_nodes() {
  local jar=$1 n=$2 security=${3:-tls} peers="" i
  [[ -f $run_dir/credentials/cluster.p12 ]] || "$repo/bin/tandem-credentials" "$run_dir/credentials" >/dev/null
  for ((i = 1; i <= n; i++)); do peers+="${peers:+,}127.0.8.$i:7800"; done
  pids=()
  for ((i = 1; i <= n; i++)); do
    local args=(--node "b$i" --host "127.0.8.$i" --port 8080)
    ((n > 1)) && args+=(--peers "$peers" --cluster-host "127.0.8.$i" --cluster-port 7800 --cluster-name "price-$$")
    if ((n > 1)); then
      if [[ $security == insecure ]]; then args+=(--cluster-insecure); else args+=(--cluster-credentials "$run_dir/credentials"); fi
    fi
    java -Xmx1g -XX:+UseG1GC -Djava.net.preferIPv4Stack=true -jar "$jar" "${args[@]}" >"$run_dir/b$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 1; i <= n; i++)); do
    for _ in $(seq 1 600); do
      [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.8.$i:8080/health/ready") == 200 ]] && break
      sleep 0.2
    done
  done
}
stop_nodes() { kill_jvm "${pids[@]}"; pids=(); }

# make_sessions URL N FILE: N new sessions at URL, their ids one per line (each made by one counter write).
make_sessions() {
  local i; : >"$3"
  for ((i = 0; i < $2; i++)); do
    curl -s -o /dev/null -D - -X POST "$1/api/session/counter" | sed -n 's/^Set-Cookie: JSESSIONID=\([^;]*\).*/\1/Ip' | tr -d '\r' >>"$3"
  done
  [[ $(grep -c . "$3") == "$2" ]] || { echo "bench: could not make $2 sessions at $1" >&2; exit 1; }
}
# turns_lua FILE METHOD PATH: a wrk script that sends METHOD PATH as each session in FILE, in turn.
turns_lua() {
  cat <<LUA
local ids = {}
for line in io.lines("$1") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("$2", "$3", {["Cookie"] = "JSESSIONID=" .. ids[(i % #ids) + 1]})
end
LUA
}
# writes_lua FILE: the counter writes of the sessions in FILE, in turn.
writes_lua() { turns_lua "$1" POST /api/session/counter; }

lua=$run_dir/post.lua
# cells JAR NAME N [SECURITY]: warm-up curve, then 3 measured runs of counter writes on 64 sessions.
cells() {
  local jar=$1 name=$2 n=$3 security=${4:-tls} url=http://127.0.8.1:8080 r t
  start_nodes "$jar" "$n" "$security"
  make_sessions "$url" 64 "$run_dir/cookies"
  writes_lua "$run_dir/cookies" >"$lua"
  local curve=""
  for ((t = 0; t < warm; t += 10)); do
    curve+=" $(wrk -t1 -c16 -d10s -s "$lua" "$url" | awk '/Requests\/sec/ {printf "%.0f", $2}')"
  done
  echo "$name warm-up req/s per 10 s:$curve"
  for r in 1 2 3; do
    wrk -t1 -c16 -d"${secs}s" --latency -s "$lua" "$url" | awk -v name="$name" -v r="$r" \
      '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$4} END {printf "%s run %d: %.0f req/s, p99 %s, non-2xx %s\n", name, r, rps, p99, bad+0}'
  done
  stop_nodes
}
