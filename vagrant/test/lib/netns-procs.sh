# shellcheck shell=bash
# Part of vagrant/test/netns-lab.sh, which sources it; shares that script's globals.
# shellcheck disable=SC2034,SC2154
# The lab's processes (pid files checked against the host's namespace) and what callers ask of the
# running lab (health, VIP holder, waiting on a condition).

# ---------------------------------------------------------------------------------------- processes
pidfile() { echo "$RUN/$1/$2.pid"; }

# A recorded pid counts only while it is alive and inside the host's namespace.
proc_pid() {
  local f pid
  f=$(pidfile "$1" "$2")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(ip netns identify "$pid" 2>/dev/null) == "$(ns "$1")" ]] || return 1
  echo "$pid"
}

# Detached (setsid) so the caller's process group/terminal can go away; `ip netns exec` and `env` exec,
# so $! is the daemon's own pid.
spawn() {
  local host=$1 proc=$2
  shift 2
  setsid ip netns exec "$(ns "$host")" "$@" >>"$RUN/$host/$proc.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$host" "$proc")"
}

start_proc() {
  local host=$1 proc=$2
  ! proc_pid "$host" "$proc" >/dev/null || { log "$proc already running on $host"; return 0; }
  case $proc in
    tandem)
      [[ $host == app[1-9] ]] || fail "tandem runs on app hosts only"
      local -a envs
      mapfile -t envs < <(tandem_env_lines "$RUN/$host/etc/tandem/tandem.env")
      local java_opts
      java_opts=$(sed -n 's/^JAVA_OPTS=//p' "$RUN/$host/etc/tandem/tandem.env")
      # The caller's warm-up budget when it sets one (the ITs: 0, no pass); unset, the node's own, as on a VM.
      [[ -z ${TANDEM_WARMUP_SECONDS:-} ]] || envs+=("TANDEM_WARMUP_SECONDS=$TANDEM_WARMUP_SECONDS")
      # Same settings as systemd gives the VM node: the env file, JAVA_OPTS split into JVM arguments.
      # shellcheck disable=SC2086
      spawn "$host" tandem env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$RUN/$host" "${envs[@]}" \
        java $java_opts -Djava.io.tmpdir="$RUN/$host" -jar "$JAR"
      ;;
    haproxy)
      [[ $host == lb[12] ]] || fail "haproxy runs on lb1/lb2 only"
      spawn "$host" haproxy env TANDEM_STATS_USER="$STATS_USER" TANDEM_STATS_PASSWORD="$STATS_PASSWORD" \
        haproxy -db -f "$RUN/$host/etc/haproxy/haproxy.cfg"
      ;;
    keepalived)
      [[ $host == lb[12] ]] || fail "keepalived runs on lb1/lb2 only"
      # Own pidfiles per instance (several keepalived share this machine's /run), VRRP only, stay in the
      # foreground so the recorded pid is the parent of its VRRP child.
      spawn "$host" keepalived keepalived --dont-fork --log-console --log-detail --no-syslog --vrrp \
        --use-file="$RUN/$host/etc/keepalived/keepalived.conf" --pid="$RUN/$host/keepalived-main.pid" \
        --vrrp_pid="$RUN/$host/keepalived-vrrp.pid" --checkers_pid="$RUN/$host/keepalived-checkers.pid"
      ;;
    *) fail "unknown process '$proc' (tandem|haproxy|keepalived)" ;;
  esac
}

stop_proc() {
  local host=$1 proc=$2 sig=${3:-TERM} pid i
  pid=$(proc_pid "$host" "$proc") || { log "$proc not running on $host"; return 0; }
  kill -"$sig" "$pid"
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "$proc on $host (pid $pid) gone after SIG$sig"; return 0; }
    sleep 0.1
  done
  fail "$proc on $host (pid $pid) still running 60 s after SIG$sig"
}

# ------------------------------------------------------------------------------------------ queries
http_code() { # http_code URL [curl args...] : from the client namespace
  local url=$1
  shift
  in_ns client curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

vip_holder() {
  local lb out=""
  for lb in lb1 lb2; do
    if ip -n "$(ns "$lb")" -4 -o addr show dev eth1 2>/dev/null | grep -q " $VIP/"; then out+="${out:+ }$lb"; fi
  done
  case $out in
    "") echo none ;;
    "lb1 lb2") echo both ;;
    *) echo "$out" ;;
  esac
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD... : polls CMD every 0.2 s
  local secs=$1 what=$2 end
  shift 2
  end=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
  log "$what"
}

node_live() { [[ $(http_code "http://$(ip_of "$1"):$HTTP_PORT/health/live") == 200 ]]; }
node_ready() { [[ $(http_code "http://$(ip_of "$1"):$HTTP_PORT/health/ready") == 200 ]]; }
vip_on() { [[ $(vip_holder) == "$1" ]]; }
lb_health() { [[ $(http_code "http://$VIP/lb/health") == "$1" ]]; }
# Exactly the command keepalived runs (taken from the rendered keepalived.conf).
stats_ok() {
  local -a check
  read -r -a check < <(tandem_lb_check_cmd "$RUN/$1/etc/keepalived/keepalived.conf")
  in_ns "$1" "${check[@]}" 2>/dev/null
}

load_stats_creds() {
  [[ -f $RUN/stats.env ]] || fail "$RUN/stats.env missing: is the lab up?"
  STATS_USER=$(sed -n 's/^TANDEM_STATS_USER=//p' "$RUN/stats.env")
  STATS_PASSWORD=$(sed -n 's/^TANDEM_STATS_PASSWORD=//p' "$RUN/stats.env")
}

