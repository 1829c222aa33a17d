#!/usr/bin/env bash
# Load-balancer VM render functions (HAProxy config, keepalived config and its check): sourced by
# lib.sh, which holds the shared helpers they use. No side effects on sourcing.
# shellcheck shell=bash

# ---------------------------------------------------------------------------------------------------
# Load balancer: tandem_lb_render OUT_ROOT REF_ROOT KEY=VALUE... [--node NAME=IP:PORT ...]
#   NAME IP PEER_IP VIP PREFIX IFACE PRIORITY STATS_USER STATS_PASSWORD
#   [VRID=51 HTTP_PORT=80 STATS_PORT=8404 SOCKET=/run/haproxy/admin.sock LOG=syslog
#    SCRIPT_USER=keepalived_script BALANCE=roundrobin WEIGHTS= STATS_URI=/ RENDERER=<repo>/haproxy/render-haproxy.sh
#    HAPROXY_PROCESS=<how HAProxy runs, up to its config file; default Debian's haproxy.service:
#                     /usr/sbin/haproxy -Ws -f REF_ROOT/etc/haproxy/haproxy.cfg>; empty = no process
#                     tracking (network namespaces: no process events there), check every second instead]
#   BALANCE, WEIGHTS and the --node specs are the renderer's to check (haproxy/render-haproxy.sh).
# Writes under OUT_ROOT: etc/haproxy/haproxy.cfg, etc/keepalived/keepalived.conf,
# etc/keepalived/tandem-chk-haproxy, etc/keepalived/tandem-stats.auth, etc/sysctl.d/60-tandem-lb.conf
# ---------------------------------------------------------------------------------------------------
tandem_lb_render() {
  local out_root=$1 ref_root=$2
  shift 2
  local NAME="" IP="" PEER_IP="" VIP="" PREFIX=24 IFACE="" PRIORITY="" STATS_USER="" STATS_PASSWORD=""
  local VRID=51 HTTP_PORT=80 STATS_PORT=8404 SOCKET=/run/haproxy/admin.sock LOG=syslog
  local SCRIPT_USER=keepalived_script BALANCE=roundrobin WEIGHTS="" STATS_URI=/ RENDERER="$TANDEM_REPO_DIR/haproxy/render-haproxy.sh"
  local HAPROXY_PROCESS="/usr/sbin/haproxy -Ws -f $ref_root/etc/haproxy/haproxy.cfg"
  local -a nodes=()
  while (($#)); do
    case $1 in
      --node) nodes+=(--node "$2"); shift 2; continue ;;
      NAME=* | IP=* | PEER_IP=* | VIP=* | PREFIX=* | IFACE=* | PRIORITY=* | STATS_USER=* | STATS_PASSWORD=* | \
        VRID=* | HTTP_PORT=* | STATS_PORT=* | SOCKET=* | LOG=* | SCRIPT_USER=* | BALANCE=* | WEIGHTS=* | STATS_URI=* | RENDERER=* | \
        HAPROXY_PROCESS=*)
        printf -v "${1%%=*}" '%s' "${1#*=}" ;;
      *) tandem_die "tandem_lb_render: unknown setting '$1'" ;;
    esac
    shift
  done
  tandem_require tandem_is_name "$NAME" NAME
  tandem_require tandem_is_ipv4 "$IP" IP
  tandem_require tandem_is_ipv4 "$PEER_IP" PEER_IP
  tandem_require tandem_is_ipv4 "$VIP" VIP
  tandem_require tandem_is_uint "$PREFIX" PREFIX
  tandem_require tandem_is_name "$IFACE" IFACE
  tandem_require tandem_is_uint "$PRIORITY" PRIORITY
  ((PRIORITY >= 1 && PRIORITY <= 254)) || tandem_die "PRIORITY must be 1..254"
  tandem_require tandem_is_uint "$VRID" VRID
  ((VRID >= 1 && VRID <= 255)) || tandem_die "VRID must be 1..255"
  tandem_require tandem_is_port "$HTTP_PORT" HTTP_PORT
  tandem_require tandem_is_port "$STATS_PORT" STATS_PORT
  tandem_require tandem_is_path "$SOCKET" SOCKET
  tandem_require tandem_is_name "$SCRIPT_USER" SCRIPT_USER
  tandem_require tandem_is_path "$STATS_URI" STATS_URI
  [[ $STATS_USER =~ ^[A-Za-z0-9_]+$ && $STATS_PASSWORD =~ ^[A-Za-z0-9_]{12,}$ ]] ||
    tandem_die "stats user/password must be [A-Za-z0-9_] (password >= 12 chars)"
  [[ $LOG == stdout || $LOG == syslog ]] || tandem_die "LOG must be stdout|syslog"
  ((${#nodes[@]} > 0)) || tandem_die "tandem_lb_render: at least one --node NAME=IP:PORT"
  [[ -x $RENDERER ]] || tandem_die "HAProxy renderer not found/executable: $RENDERER"

  local etc="$out_root/etc" ref_etc="$ref_root/etc"
  mkdir -p "$etc/haproxy" "$etc/keepalived" "$etc/sysctl.d"

  local -a weight_args=()
  [[ -z $WEIGHTS ]] || weight_args=(--weights "$WEIGHTS")
  "$RENDERER" --name "$NAME" --bind "$VIP:$HTTP_PORT" --stats-bind "$IP:$STATS_PORT" --socket "$SOCKET" \
    --balance "$BALANCE" --log "$LOG" ${weight_args[@]+"${weight_args[@]}"} \
    --agent-port "$TANDEM_AGENT_PORT" --max-queued "$(tandem_limit TANDEM_MAX_QUEUED)" --queue-ms "$(tandem_limit TANDEM_QUEUE_MS)" "${nodes[@]}" >"$etc/haproxy/haproxy.cfg.tmp.$$" ||
    tandem_die "render-haproxy.sh refused the balancer settings (above)"
  mv -f "$etc/haproxy/haproxy.cfg.tmp.$$" "$etc/haproxy/haproxy.cfg"

  # HAProxy binds the VIP on the BACKUP too (address not local there): keeps both balancers hot so a
  # failover only moves the address, no daemon has to start.
  printf '%s\n' "# rendered by vagrant/provision/lb.sh: HAProxy binds the keepalived VIP even where it is not local" \
    "net.ipv4.ip_nonlocal_bind = 1" >"$etc/sysctl.d/60-tandem-lb.conf"

  # Credentials for the health check only; the daemon reads them as its script_user, nobody else.
  (
    umask 077
    printf 'Basic %s\n' "$(printf '%s:%s' "$STATS_USER" "$STATS_PASSWORD" | base64 -w0)" >"$etc/keepalived/tandem-stats.auth"
  )
  install -m 0755 "$TANDEM_FILES_DIR/tandem-chk-haproxy" "$etc/keepalived/tandem-chk-haproxy"

  tandem_subst "$TANDEM_FILES_DIR/keepalived.conf.tmpl" "$etc/keepalived/keepalived.conf" \
    "ROUTER_ID=$NAME" "IFACE=$IFACE" "PRIORITY=$PRIORITY" "VRID=$VRID" "SRC_IP=$IP" "PEER_IP=$PEER_IP" \
    "VIP=$VIP" "PREFIX=$PREFIX" "SCRIPT_USER=$SCRIPT_USER" "HAPROXY_PROCESS=${HAPROXY_PROCESS:-none}" \
    "CHECK_INTERVAL=$([[ -n $HAPROXY_PROCESS ]] && echo 5 || echo 1)" "CHECK_TIMEOUT=$([[ -n $HAPROXY_PROCESS ]] && echo 10 || echo 3)" \
    "CHECK_SCRIPT=$ref_etc/keepalived/tandem-chk-haproxy http://$IP:$STATS_PORT$STATS_URI $ref_etc/keepalived/tandem-stats.auth"
  if [[ -z $HAPROXY_PROCESS ]]; then
    # No process tracking: drop the vrrp_track_process block and the instance's track_process reference.
    awk '/^vrrp_track_process / || /^    track_process \{/ { skip = 1 } skip { if ($0 ~ /^ *}$/) skip = 0; next } { print }' \
      "$etc/keepalived/keepalived.conf" >"$etc/keepalived/keepalived.conf.tmp.$$"
    mv -f "$etc/keepalived/keepalived.conf.tmp.$$" "$etc/keepalived/keepalived.conf"
  fi
}


# The health-check command line of a rendered keepalived.conf (words of its `script "..."`), so callers
# run exactly what keepalived runs.
tandem_lb_check_cmd() {
  sed -n 's/^[[:space:]]*script "\(.*\)"[[:space:]]*$/\1/p' "$1" | head -n1
}

# keepalived -t with a usable verdict: keepalived 2.2.7 ends a config test by SIGTERMing itself (exit 143)
# when script_user is not root, and reports most mistakes (unknown keyword, out-of-range value) only as
# messages while still exiting 0/143. So: pass = exit 0 or 143 AND no message at all. Needs the config's
# interface to exist where it runs. Prints keepalived's messages on failure.
tandem_keepalived_test() {
  local out rc=0
  out=$(keepalived -t -f "$1" 2>&1) || rc=$?
  if [[ ($rc -eq 0 || $rc -eq 143) && -z $out ]]; then
    return 0
  fi
  printf 'keepalived -t -f %s: exit %s\n%s\n' "$1" "$rc" "$out" >&2
  return 1
}
