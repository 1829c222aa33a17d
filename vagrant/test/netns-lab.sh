#!/usr/bin/env bash
# netns-lab.sh: the Vagrant topology (N app nodes, two HAProxy+keepalived balancers with a VIP, a client)
# on one machine, as Linux network namespaces on a private bridge. It renders every config through the
# SAME functions as the VM provisioners (vagrant/provision/lib.sh: tandem_app_render, tandem_lb_render,
# haproxy/render-haproxy.sh, files/*.tmpl), only with lab addresses and a scratch root directory.
#
# Topology (mirrors the Vagrantfile's table, 192.168.56.x -> 10.77.0.x):
#   namespace        address          runs
#   $P-sw            -                bridge br0 (no address: a pure switch)
#   $P-lb1           10.77.0.2        haproxy, keepalived (priority 150)   VIP 10.77.0.10 (keepalived)
#   $P-lb2           10.77.0.3        haproxy, keepalived (priority 100)
#   $P-app1..N       10.77.0.11..     java -jar $TANDEM_JAR (env from the rendered tandem.env)
#   $P-client        10.77.0.100      nothing; run curl / the load driver here with `exec client ...`
# ($P = NETNS_PREFIX.) Every host namespace has lo up and one interface eth1 on the bridge; there is no
# default route anywhere and the root namespace has no interface on the bridge, so no lab packet can
# leave the lab. HTTP: VIP:80 (frontend "vip", /lb/health), stats on lbX:8404, nodes on :8080.
#
# Usage (as root):
#   netns-lab.sh up                    tear down leftovers, build the lab, start everything, wait until lb1
#                                      holds the VIP, it answers and (with apps) every node is ready; then
#                                      prints the `env` lines on stdout (progress goes to stderr)
#   netns-lab.sh down                  kill every process in the lab's namespaces, delete the namespaces
#                                      (every one named "$P-*"), remove the run dir. Safe to repeat.
#   netns-lab.sh status                one line per host/process + VIP holder + health; exit 0 if all healthy
#   netns-lab.sh exec HOST CMD...      run CMD inside HOST's namespace (HOST: app1.., lb1, lb2, client, sw)
#   netns-lab.sh env                   KEY=VALUE lines for callers (VIP URL, node URLs, stats credentials...)
#   netns-lab.sh vip-holder            prints lb1, lb2, both or none (who has the VIP on eth1)
#   netns-lab.sh stop HOST PROC [SIG]  send SIG (default TERM) to PROC (tandem|haproxy|keepalived) on HOST
#                                      and wait (max 60 s) until it is gone; TERM = graceful (a node drains),
#                                      KILL = crash
#   netns-lab.sh start HOST PROC       start PROC again on HOST with the rendered config
#
# Environment:
#   NETNS_PREFIX       namespace name prefix (default tdm); lets parallel or leftover labs be told apart
#   NETNS_LAB_DIR      run dir (default ${TMPDIR:-/tmp}/netns-lab-$NETNS_PREFIX): per host <host>/ with the
#                      rendered etc/..., logs <host>/{tandem,haproxy,keepalived}.log and <host>/*.pid
#   NETNS_LAB_NODES    app nodes (default 3, 1..9)
#   NETNS_LAB_APPS     1 (default) run the Tandem nodes; 0 = balancers only (VRRP/HAProxy tests, no jar needed)
#   TANDEM_JAR         the node jar (default <repo>/target/tandem.jar); copy it out of target/ while a build runs
#   NETNS_LAB_JAVA_OPTS  JVM options of the nodes (default: the template's, i.e. what the VMs use)
#   NETNS_LAB_WAIT     seconds `up` waits for the nodes to be ready (default 120)
# NODES/APPS/JAR are fixed at `up` (kept in $NETNS_LAB_DIR/lab.env); later subcommands use those.
# Cable pull (a host vanishing): `ip -n $P-lb1 link set eth1 down` / `up`.
#
# Exit codes: 0 ok; 1 failed (see the logs named in the message; the lab stays up for inspection, call
# `down`); 2 usage (or TANDEM_JAR missing); 77 cannot run here (not root, a required tool missing, no
# netns support): callers treat 77 as "skipped" outside CI.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vagrant_dir=$(dirname "$here")
repo=$(dirname "$vagrant_dir")
# shellcheck source=../provision/lib.sh
. "$vagrant_dir/provision/lib.sh"
TANDEM_LOG_TAG=netns-lab

P=${NETNS_PREFIX:-tdm}
[[ $P =~ ^[a-z][a-z0-9]{0,7}$ ]] || { echo "netns-lab: NETNS_PREFIX must be [a-z][a-z0-9]{0,7}" >&2; exit 2; }
RUN=${NETNS_LAB_DIR:-${TMPDIR:-/tmp}/netns-lab-$P}
NODES=${NETNS_LAB_NODES:-3}
APPS=${NETNS_LAB_APPS:-1}
JAR=${TANDEM_JAR:-$repo/target/tandem.jar}
WAIT=${NETNS_LAB_WAIT:-120}
NET=10.77.0
VIP=$NET.10
HTTP_PORT=8080
STATS_PORT=8404
MARKER=.netns-lab

# A running lab keeps the settings it was built with, whatever the caller's environment says now.
if [[ ${1:-} != up && -f $RUN/lab.env ]]; then
  NODES=$(sed -n 's/^NODES=//p' "$RUN/lab.env")
  APPS=$(sed -n 's/^APPS=//p' "$RUN/lab.env")
  JAR=$(sed -n 's/^JAR=//p' "$RUN/lab.env")
fi
[[ $NODES =~ ^[1-9]$ ]] || { echo "netns-lab: NETNS_LAB_NODES must be 1..9" >&2; exit 2; }
[[ $APPS == 0 || $APPS == 1 ]] || { echo "netns-lab: NETNS_LAB_APPS must be 0 or 1" >&2; exit 2; }
[[ $WAIT =~ ^[0-9]+$ ]] || { echo "netns-lab: NETNS_LAB_WAIT must be seconds" >&2; exit 2; }

log() { printf '[netns-lab %s] %s\n' "$(date +%T)" "$*" >&2; }
fail() { log "FAILED: $*"; log "logs: $RUN/<host>/*.log; tear down with: $0 down"; exit 1; }
skip() { echo "netns-lab: cannot run here: $*" >&2; exit 77; }

apps() { local i; for ((i = 1; i <= NODES; i++)); do echo "app$i"; done; }
hosts() { apps; echo lb1; echo lb2; echo client; }
ns() { echo "$P-$1"; }
ip_of() {
  case $1 in
    lb1) echo "$NET.2" ;;
    lb2) echo "$NET.3" ;;
    client) echo "$NET.100" ;;
    app[1-9]) echo "$NET.$((10 + ${1#app}))" ;;
    *) return 1 ;;
  esac
}
app_ips() { local a out=""; for a in $(apps); do out+="${out:+,}$(ip_of "$a")"; done; echo "$out"; }
in_ns() { local h=$1; shift; ip netns exec "$(ns "$h")" "$@"; }
our_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}-" || true; }

preflight() {
  [[ $EUID -eq 0 ]] || skip "network namespaces, veth and bridges need root (run as root or via sudo)"
  local tool
  local -a tools=(ip curl haproxy keepalived sysctl setsid)
  [[ $APPS == 0 ]] || tools+=(java)
  for tool in "${tools[@]}"; do command -v "$tool" >/dev/null || skip "'$tool' not installed"; done
  [[ -x $repo/haproxy/render-haproxy.sh ]] || skip "haproxy/render-haproxy.sh missing"
  if [[ $APPS == 1 && ! -f $JAR ]]; then
    echo "netns-lab: TANDEM_JAR=$JAR not found (build it, or NETNS_LAB_APPS=0 for balancers only)" >&2
    exit 2
  fi
  local probe="$P-probe$$"
  ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces (ip netns add failed)"
  ip netns del "$probe"
}

# ---------------------------------------------------------------------------------------------- down
# Only processes inside our own namespaces are signalled: a pid from a pidfile is first checked to still
# live in one of them, so a reused pid never hits a foreign process.
lab_pids() {
  local n
  for n in $(our_namespaces); do ip netns pids "$n" 2>/dev/null || true; done
}

cmd_down() {
  [[ $EUID -eq 0 ]] || skip "needs root"
  local pids n i
  pids=$(lab_pids | sort -u | tr '\n' ' ')
  if [[ -n ${pids// /} ]]; then
    log "stopping processes: $pids"
    # shellcheck disable=SC2086 # word splitting of the pid list is intended
    kill -TERM $pids 2>/dev/null || true
    # The nodes drain (--drain-seconds) and leave the cluster on TERM: give them a bounded while.
    for ((i = 0; i < 150; i++)); do
      [[ -n $(lab_pids) ]] || break
      sleep 0.1
    done
    pids=$(lab_pids | sort -u | tr '\n' ' ')
    if [[ -n ${pids// /} ]]; then
      log "still running after 15 s, killing: $pids"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      sleep 0.5
    fi
  fi
  for n in $(our_namespaces); do ip netns del "$n" 2>/dev/null || log "could not delete namespace $n"; done
  if [[ -d $RUN ]]; then
    if [[ -f $RUN/$MARKER ]]; then
      rm -rf "$RUN"
    else
      log "not removing $RUN: it has no $MARKER marker (not made by this script)"
    fi
  fi
  [[ -z $(our_namespaces) ]] || fail "namespaces left: $(our_namespaces | tr '\n' ' ')"
  log "down: no namespace '$P-*' left"
}

# ------------------------------------------------------------------------------------------ network
make_network() {
  local h
  ip netns add "$(ns sw)"
  ip -n "$(ns sw)" link set lo up
  ip -n "$(ns sw)" link add br0 type bridge
  # No IPv6 chatter (router solicitations, DAD) on the lab wire: only what the test does travels there.
  ip netns exec "$(ns sw)" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$(ns sw)" link set br0 up
  for h in $(hosts); do
    ip netns add "$(ns "$h")"
    in_ns "$h" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$(ns "$h")" link set lo up
    # Created inside the switch namespace with the peer put straight into the host namespace: the root
    # namespace never holds either end.
    ip -n "$(ns sw)" link add "$h" type veth peer name eth1 netns "$(ns "$h")"
    ip -n "$(ns sw)" link set "$h" master br0 up
    ip -n "$(ns "$h")" addr add "$(ip_of "$h")/24" dev eth1
    ip -n "$(ns "$h")" link set eth1 up
  done
}

# ------------------------------------------------------------------------------------------- render
render_all() {
  local a lb peer prio iface
  local -a node_args=()
  for a in $(apps); do node_args+=(--node "$a=$(ip_of "$a"):$HTTP_PORT"); done
  for a in $(apps); do
    local -a extra=()
    [[ -z ${NETNS_LAB_JAVA_OPTS:-} ]] || extra+=("JAVA_OPTS=$NETNS_LAB_JAVA_OPTS")
    tandem_app_render "$RUN/$a" "$RUN/$a" NODE="$a" IP="$(ip_of "$a")" APP_IPS="$(app_ips)" \
      LB_IPS="$(ip_of lb1),$(ip_of lb2)" VIP="$VIP" PORT="$HTTP_PORT" "${extra[@]}"
  done
  for lb in lb1 lb2; do
    if [[ $lb == lb1 ]]; then peer=lb2 prio=150; else peer=lb1 prio=100; fi
    # The interface is found by its address, inside the namespace, exactly as lb.sh does on a VM.
    # shellcheck disable=SC2016 # $1/$2 belong to the inner bash
    iface=$(in_ns "$lb" bash -c '. "$1"; tandem_iface_for_ip "$2"' _ "$vagrant_dir/provision/lib.sh" "$(ip_of "$lb")")
    # Lab differences from a VM, all given as values: run dir paths, log to stdout (captured), and the
    # check runs as root (no keepalived_script user on a test machine; the script is root-owned 0755).
    tandem_lb_render "$RUN/$lb" "$RUN/$lb" NAME="$lb" IP="$(ip_of "$lb")" PEER_IP="$(ip_of "$peer")" \
      VIP="$VIP" PREFIX=24 IFACE="$iface" PRIORITY="$prio" STATS_USER="$STATS_USER" \
      STATS_PASSWORD="$STATS_PASSWORD" SOCKET="$RUN/$lb/admin.sock" LOG=stdout SCRIPT_USER=root \
      HTTP_PORT=80 STATS_PORT="$STATS_PORT" "${node_args[@]}"
    # Same sysctl file as the VM gets (ip_nonlocal_bind is per network namespace).
    in_ns "$lb" sysctl -q -p "$RUN/$lb/etc/sysctl.d/60-tandem-lb.conf"
  done
}

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

# --------------------------------------------------------------------------------------------- up
cmd_up() {
  preflight
  cmd_down
  if [[ -d $RUN && ! -f $RUN/$MARKER ]] && [[ -n $(ls -A "$RUN") ]]; then
    echo "netns-lab: NETNS_LAB_DIR=$RUN exists, is not empty and was not made by this script" >&2
    exit 2
  fi
  mkdir -p "$RUN"
  chmod 0700 "$RUN"
  : >"$RUN/$MARKER"
  printf 'NODES=%s\nAPPS=%s\nJAR=%s\n' "$NODES" "$APPS" "$JAR" >"$RUN/lab.env"
  local h
  for h in $(hosts) sw; do mkdir -p "$RUN/$h"; done
  STATS_USER="admin"
  STATS_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)
  (umask 077 && printf 'TANDEM_STATS_USER=%s\nTANDEM_STATS_PASSWORD=%s\n' "$STATS_USER" "$STATS_PASSWORD" >"$RUN/stats.env")

  log "network: namespaces $(ns sw) (bridge) + $(hosts | sed "s/^/$P-/" | tr '\n' ' ')"
  make_network
  log "rendering configs into $RUN/<host>/etc (same functions as the VM provisioners)"
  render_all

  local a
  if [[ $APPS == 1 ]]; then
    log "starting $NODES Tandem node(s) from $JAR"
    for a in $(apps); do start_proc "$a" tandem; done
  fi
  for h in lb1 lb2; do start_proc "$h" haproxy; done
  wait_for 20 "lb1 stats page OK (keepalived's check passes)" stats_ok lb1 || fail "lb1 haproxy check (see $RUN/lb1/haproxy.log)"
  wait_for 20 "lb2 stats page OK (keepalived's check passes)" stats_ok lb2 || fail "lb2 haproxy check (see $RUN/lb2/haproxy.log)"
  # lb1 first and alone until it holds the VIP: with nopreempt the first MASTER keeps the VIP, so this
  # makes the starting point deterministic (lb1 MASTER, lb2 BACKUP), as on the VMs after `vagrant up`.
  start_proc lb1 keepalived
  wait_for 20 "VIP $VIP on lb1" vip_on lb1 || fail "VIP never came up on lb1 (see $RUN/lb1/keepalived.log)"
  start_proc lb2 keepalived
  sleep 2
  vip_on lb1 || fail "VIP moved away from lb1 when lb2 started: $(vip_holder)"

  if [[ $APPS == 1 ]]; then
    for a in $(apps); do
      wait_for "$WAIT" "$a live" node_live "$a" || fail "$a never answered /health/live (see $RUN/$a/tandem.log)"
    done
    for a in $(apps); do
      wait_for "$WAIT" "$a ready" node_ready "$a" || fail "$a never became ready (see $RUN/$a/tandem.log)"
    done
    wait_for 20 "VIP answers /lb/health 200" lb_health 200 || fail "http://$VIP/lb/health is not 200"
  else
    wait_for 10 "VIP answers /lb/health (503: no nodes, NETNS_LAB_APPS=0)" lb_health 503 ||
      fail "http://$VIP/lb/health did not answer"
  fi
  log "up: $(vip_holder) holds $VIP"
  cmd_env
}

cmd_env() {
  [[ -f $RUN/$MARKER ]] || fail "lab not up ($RUN)"
  load_stats_creds
  local a urls=""
  for a in $(apps); do urls+="${urls:+,}http://$(ip_of "$a"):$HTTP_PORT"; done
  printf '%s\n' "NETNS_PREFIX=$P" "NETNS_LAB_DIR=$RUN" "NETNS_LAB_NODES=$NODES" "NETNS_LAB_APPS=$APPS" \
    "NETNS_LAB_CLIENT_NS=$(ns client)" "NETNS_LAB_VIP=$VIP" "NETNS_LAB_VIP_URL=http://$VIP" \
    "NETNS_LAB_NODE_URLS=$urls" "NETNS_LAB_LB1_STATS=http://$(ip_of lb1):$STATS_PORT/" \
    "NETNS_LAB_LB2_STATS=http://$(ip_of lb2):$STATS_PORT/" "NETNS_LAB_STATS_USER=$STATS_USER" \
    "NETNS_LAB_STATS_PASSWORD=$STATS_PASSWORD"
}

cmd_status() {
  [[ $EUID -eq 0 ]] || skip "needs root"
  local ok=0 h proc pid code
  if [[ -z $(our_namespaces) ]]; then
    echo "lab $P: down (no namespace '$P-*')"
    return 1
  fi
  echo "lab $P: namespaces $(our_namespaces | tr '\n' ' ')"
  for h in $(apps) lb1 lb2; do
    for proc in tandem haproxy keepalived; do
      [[ -f $(pidfile "$h" "$proc") ]] || continue
      if pid=$(proc_pid "$h" "$proc"); then echo "  $h $proc running (pid $pid)"; else echo "  $h $proc NOT running"; ok=1; fi
    done
  done
  for h in $(apps); do
    [[ -f $(pidfile "$h" tandem) ]] || continue
    code=$(http_code "http://$(ip_of "$h"):$HTTP_PORT/health/ready")
    echo "  $h /health/ready: ${code:-no answer}"
    [[ $code == 200 ]] || ok=1
  done
  echo "  VIP $VIP on: $(vip_holder)"
  [[ $(vip_holder) == lb1 || $(vip_holder) == lb2 ]] || ok=1
  code=$(http_code "http://$VIP/lb/health")
  echo "  http://$VIP/lb/health: ${code:-no answer}"
  [[ $code == 200 || ($APPS == 0 && $code == 503) ]] || ok=1
  return "$ok"
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

sub=${1:-}
[[ -n $sub ]] || { usage >&2; exit 2; }
shift
case $sub in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  vip-holder) [[ $EUID -eq 0 ]] || skip "needs root"; vip_holder ;;
  exec)
    (($# >= 2)) || { usage >&2; exit 2; }
    host=$1
    shift
    [[ $host == sw ]] || ip_of "$host" >/dev/null || { echo "netns-lab: unknown host '$host'" >&2; exit 2; }
    ip netns list | awk '{print $1}' | grep -qx "$(ns "$host")" || fail "namespace $(ns "$host") does not exist (lab up?)"
    exec ip netns exec "$(ns "$host")" "$@"
    ;;
  stop)
    (($# >= 2)) || { usage >&2; exit 2; }
    stop_proc "$1" "$2" "${3:-TERM}"
    ;;
  start)
    (($# == 2)) || { usage >&2; exit 2; }
    load_stats_creds
    start_proc "$1" "$2"
    ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
