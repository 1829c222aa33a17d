# shellcheck shell=bash
# Part of bin/tandem-lab, which sources its lib/ files in order; they share its globals.
# shellcheck disable=SC2034,SC2154,SC2153
# The nodes: starting, waiting for, draining them; their cluster view; building the artifacts.

# The nodes' JVM options unless TANDEM_LAB_JAVA_OPTS is set (bin/tandem-lab --help shows them): the
# lab's heap ceiling and the memory options every deployment's nodes share (bin/node-jvm.options).
LAB_JAVA_OPTS_DEFAULT="-Xmx512m $(sed 's/#.*//' "$REPO/bin/node-jvm.options" | xargs) -Djava.net.preferIPv4Stack=true"

# ---------------------------------------------------------------- cluster view

# The node's cluster members from its /api/node ("members": [...]), comma-separated; "?" when
# the node does not answer or its answer has no members array.
members_of() {
  local json
  json=$(curl -s --max-time 2 "http://$(node_addr "$1")/api/node" 2>/dev/null) || { printf '?'; return; }
  jq -r 'if (.members | type) == "array"
         then [.members[] | if type == "string" then . else (.name // tojson) end] | join(",")
         else "?" end' <<<"$json" 2>/dev/null || printf '?'
}
count_members() { # "a,b,c" -> 3
  local m=$1
  [[ -n $m ]] || { say 0; return; }
  m=${m//[^,]/},
  say "${#m}"
}

# ---------------------------------------------------------------- nodes

node_alive() { lab_alive "n$1"; }

# The lab cluster's credentials, made once per run dir (mode 700/600 by bin/tandem-credentials):
# only processes given them join the lab's cluster.
ensure_cluster_credentials() {
  [[ -f $RUN/credentials/cluster.p12 ]] && return 0
  "$REPO/bin/tandem-credentials" "$RUN/credentials" >/dev/null ||
    die "could not make the cluster's credentials in $RUN/credentials"
}

start_node_process() {
  local i=$1 name=n$1
  local dir=$RUN/nodes/$name log=$RUN/logs/$name.log
  local args=(--node "$name" --host "$(node_ip "$i")" --port "$(node_port "$i")"
    --cluster-host "$(node_ip "$i")" --cluster-port "$(node_cport "$i")" --peers "$(peers)"
    --cluster-credentials "$RUN/credentials" --agent-port "$(node_agent_port "$i")" --max-queued "$MAX_QUEUED" --queue-ms "$QUEUE_MS")
  [[ -z $MAX_REQUESTS ]] || args+=(--max-requests "$MAX_REQUESTS")
  local jopts=() cmd=()
  # word-split on purpose: a list of JVM options in one variable
  read -r -a jopts <<<"${TANDEM_LAB_JAVA_OPTS-$LAB_JAVA_OPTS_DEFAULT}"
  mkdir -p "$dir" "$RUN/logs"
  ensure_cluster_credentials
  if [[ $MODE == jar ]]; then
    [[ -z $CLASS_ARCHIVE ]] || jopts+=("-XX:SharedArchiveFile=$CLASS_ARCHIVE")
    cmd=(java ${jopts[@]+"${jopts[@]}"} "-Dtandem.lab.node=$dir" -jar "$JAR" "${args[@]}")
  else
    JETTY_HOME=$JETTY "$REPO/bin/tandem-jetty-base" "$dir/jetty-base" "${args[@]}" >>"$log" 2>&1 ||
      die "bin/tandem-jetty-base failed for $name; see $log"
    cmd=(java ${jopts[@]+"${jopts[@]}"} "-Dtandem.lab.node=$dir" -jar "$JETTY/start.jar"
      "jetty.home=$JETTY" "jetty.base=$dir/jetty-base")
  fi
  printf '=== %s %s starting: %s\n' "$(date '+%F %T')" "$name" "${cmd[*]}" >>"$log"
  JETTY_HOME=$JETTY spawn "$name" "$dir" "$log" "" "${cmd[@]}"
  say "  $name: pid $SPAWNED on http://$(node_addr "$i") (cluster $(node_ip "$i"):$(node_cport "$i")), log $log"
}

# Something other than our node already listening would make the node fail
# with a confusing bind error (or, worse, answer in its place).
port_free() { local rc=0; curl -s -o /dev/null --max-time 1 "http://$1/" || rc=$?; ((rc == 7)); }
check_node_ports_free() {
  local i=$1 a
  for a in "$(node_addr "$i")" "$(node_ip "$i"):$(node_cport "$i")"; do
    port_free "$a" || die "$a is already in use by another process (not this lab's n$i)"
  done
}

# Wait for /health/ready = 200; fail fast when the process died.
wait_ready() { # i timeout
  local i=$1 deadline=$((SECONDS + $2)) url since=$SECONDS next_word=$((SECONDS + 15))
  url="http://$(node_addr "$1")/health/ready"
  until [[ $(http_code "$url" 1) == 200 ]]; do
    if ((SECONDS >= next_word)); then # a start takes a minute or more: say what the node says, so it does not look stuck
      say "  n$i not ready after $((SECONDS - since)) s: $(ready_reason "$url")"
      next_word=$((SECONDS + 15))
    fi
    if ! node_alive "$i"; then
      warn "n$i exited; last lines of $RUN/logs/n$i.log:"
      tail -n 20 "$RUN/logs/n$i.log" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      warn "n$i not ready after $2 s ($url): $(curl -s --max-time 2 "$url" 2>/dev/null || echo 'no answer')"
      warn "last lines of $RUN/logs/n$i.log:"
      tail -n 30 "$RUN/logs/n$i.log" >&2 || true
      return 1
    fi
    sleep 0.25
  done
}

# ready_reason URL: why the node says it is not ready (its reason, else its state), or that it does not answer yet.
ready_reason() {
  local json
  json=$(curl -s --max-time 1 "$1" 2>/dev/null) || json=""
  if [[ -z $json ]]; then printf 'no answer yet (its port opens once it has joined the cluster)'; return; fi
  jq -r '.reason // .state // "?"' <<<"$json" 2>/dev/null || printf '?'
}

# Best effort: the node's view of the cluster reaches the number of running
# nodes (members[] format is the node's business; only counted here).
wait_members() { # i expected timeout
  local deadline=$((SECONDS + $3)) m
  while :; do
    m=$(members_of "$1")
    [[ $m != '?' ]] || return 0
    (($(count_members "$m") >= $2)) && return 0
    ((SECONDS < deadline)) || { warn "n$1 sees members [$m], expected $2"; return 1; }
    sleep 0.5
  done
}

running_count() { local i c=0; for ((i = 1; i <= NODES; i++)); do node_alive "$i" && c=$((c + 1)); done; say "$c"; }

# Graceful stop: no new balanced traffic (HAProxy DRAIN), the node drains itself (readiness 503,
# in-flight requests finish), exits; then HAProxy MAINT, so the stats page and `status` tell a
# node taken out on purpose from a crashed one (DOWN, L4CON). `start` sets it ready again.
drain_node() { # i
  local i=$1 name=n$1 pid code t0
  pid=$(lab_pid "$name") || { say "$name is not running"; return 0; }
  t0=$(now_ms)
  hap_set "$name" drain
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://$(node_addr "$i")/admin/drain" 2>/dev/null || true)
  if [[ $code != 2* ]]; then
    warn "POST /admin/drain on $name answered $code; sending SIGTERM (same drain)"
    lab_signal "$name" TERM
  fi
  local timeout=${TANDEM_LAB_STOP_TIMEOUT:-60}
  wait_gone "$timeout" "$pid" || die "$name (pid $pid) still running after $timeout s; 'bin/$PROG kill $name' forces it"
  rm -f "$(pidfile "$name")"
  hap_set "$name" maint
  say "$name drained and exited after $(since "$t0") (HAProxy: $(hap_state "$name"))"
}

start_node() { # i
  local i=$1 name=n$1 t0 expected
  local timeout=${TANDEM_LAB_TIMEOUT:-180}
  if node_alive "$i"; then
    say "$name is already running (pid $(lab_pid "$name"))"
  else
    check_node_ports_free "$i"
    start_node_process "$i"
  fi
  t0=$(now_ms)
  wait_ready "$i" "$timeout" || die "$name did not become ready; see $RUN/logs/$name.log"
  say "  $name ready after $(since "$t0")"
  expected=$(running_count)
  wait_members "$i" "$expected" 60 || true
  if haproxy_alive; then
    hap_set "$name" ready
    wait_hap_state "$name" UP 15 || die "HAProxy does not see $name UP (state $(hap_state "$name"))"
    say "  $name UP in HAProxy after $(since "$t0")"
  fi
}

# ---------------------------------------------------------------- artifacts

ensure_artifacts() {
  local build=0
  if [[ $MODE == jar ]]; then
    if [[ ! -f $JAR ]]; then
      [[ $JAR == "$REPO/target/tandem.jar" ]] || die "TANDEM_JAR=$JAR does not exist"
      build=1
    fi
  else
    [[ -x $REPO/bin/tandem-jetty-base ]] || die "war mode needs bin/tandem-jetty-base"
    [[ -f $REPO/target/tandem.war && -f $JETTY/start.jar ]] || build=1
  fi
  if ((build)); then
    command -v mvn >/dev/null 2>&1 || die "no node build found and mvn is not installed; run: mvn -B -DskipTests package"
    local blog=$RUN/logs/build.log
    mkdir -p "$RUN/logs"
    say "building the nodes (mvn package, a minute or two; log $blog) ..."
    # Batch mode, no colours, no download progress, and the output in a file: Maven 3.8 writes
    # colour resets (ESC[0m) even with -B -q, which would land in the terminal as stray escapes.
    if ! (cd "$REPO" && mvn -B -q --no-transfer-progress -Dstyle.color=never -DskipTests package) >"$blog" 2>&1; then
      sed 's/\x1b\[[0-9;]*m//g' "$blog" | tail -n 30 >&2
      die "build failed; full log: $blog"
    fi
  fi
  if [[ $MODE == jar ]]; then
    [[ -f $JAR ]] || die "$JAR missing after build"
    ensure_class_archive
  else
    [[ -f $JETTY/start.jar ]] || die "JETTY_HOME=$JETTY has no start.jar"
  fi
  command -v java >/dev/null 2>&1 || die "java not found (Java 17+ needed)"
}

# Jar nodes start from a class archive next to the jar (bin/tandem-class-archive: start to ready about
# halves), made once per build: the script keeps one the JVM still maps for this jar and these
# options. TANDEM_LAB_CLASS_ARCHIVE=off: none.
ensure_class_archive() {
  CLASS_ARCHIVE=${TANDEM_LAB_CLASS_ARCHIVE:-${JAR%.jar}.jsa}
  if [[ $CLASS_ARCHIVE == off ]]; then
    CLASS_ARCHIVE=""
    return
  fi
  local jopts=()
  # word-split on purpose, as start_node_process does
  read -r -a jopts <<<"${TANDEM_LAB_JAVA_OPTS-$LAB_JAVA_OPTS_DEFAULT}"
  mkdir -p "$RUN/logs"
  "$REPO/bin/tandem-class-archive" --check "$JAR" "$CLASS_ARCHIVE" ${jopts[@]+"${jopts[@]}"} && return
  say "making the class archive $CLASS_ARCHIVE (once per build, a few seconds) ..."
  "$REPO/bin/tandem-class-archive" "$JAR" "$CLASS_ARCHIVE" ${jopts[@]+"${jopts[@]}"} >"$RUN/logs/class-archive.log" 2>&1 || {
    say "  no class archive (see $RUN/logs/class-archive.log); the nodes start without one"
    CLASS_ARCHIVE=""
  }
}
