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
#   TANDEM_WARMUP_SECONDS  given to the nodes when set (the ITs: 0); unset, their default pass, as on the VMs
#   NETNS_LAB_BALANCE / NETNS_LAB_WEIGHTS  as TANDEM_BALANCE / TANDEM_WEIGHTS for the Vagrantfile
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

# The lab by job: wiring (namespaces, rendering, down) and processes/queries.
# shellcheck source=lib/netns-network.sh
. "$here/lib/netns-network.sh"
# shellcheck source=lib/netns-procs.sh
. "$here/lib/netns-procs.sh"

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
