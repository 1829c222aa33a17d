#!/usr/bin/env bash
# Provision one balancer VM: HAProxy (rendered by haproxy/render-haproxy.sh) + keepalived holding the VIP.
# Run by the Vagrantfile's "lb" provisioner, as root. Idempotent: same inputs -> nothing restarted.
#
# Usage:
#   lb.sh --name lb1 --ip 192.168.56.2 --peer-ip 192.168.56.3 --vip 192.168.56.10 --priority 150
#         --node app1=192.168.56.11:8080 [--node ...] [--vrid 51]
#         [--balance roundrobin|leastconn|source|uri] [--weights app1=3,app2=1]
#         [--stats-user admin] [--src /opt/tandem-src]
#
# Result: /etc/haproxy/haproxy.cfg (VIP:80, stats on own IP:8404, admin socket /run/haproxy/admin.sock),
# stats credentials in /etc/default/haproxy (generated once, mode 600; read by Debian's haproxy.service),
# net.ipv4.ip_nonlocal_bind=1, /etc/keepalived/keepalived.conf + health check, both services enabled.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=system.sh
. "$here/system.sh"
usage() { awk 'NR > 1 && /^#/ && !/shellcheck/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
TANDEM_LOG_TAG=lb

name="" ip="" peer_ip="" vip="" priority="" vrid=51 balance=roundrobin weights="" stats_user=admin src=/opt/tandem-src
nodes=()
while (($#)); do
  case $1 in
    --name) name=${2:?}; shift ;;
    --ip) ip=${2:?}; shift ;;
    --peer-ip) peer_ip=${2:?}; shift ;;
    --vip) vip=${2:?}; shift ;;
    --priority) priority=${2:?}; shift ;;
    --vrid) vrid=${2:?}; shift ;;
    --balance) balance=${2:?}; shift ;;
    --weights) weights=${2:?}; shift ;;
    --stats-user) stats_user=${2:?}; shift ;;
    --src) src=${2:?}; shift ;;
    --node) nodes+=(--node "${2:?}"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) tandem_die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[[ $EUID -eq 0 ]] || tandem_die "run as root"
tandem_require tandem_is_ipv4 "$ip" --ip

iface=$(tandem_iface_for_ip "$ip") || tandem_die "no interface carries $ip: the Vagrant private network is not up"
prefix=$(tandem_prefix_for_ip "$ip")
tandem_log "$name: private network $ip/$prefix on $iface"

tandem_apt_install haproxy keepalived curl socat ca-certificates
# keepalived runs check scripts as this user (enable_script_security), never as root.
tandem_system_user keepalived_script /nonexistent

# --- stats credentials: generated once, kept across re-provisioning; only root can read the file.
defaults=/etc/default/haproxy
touch "$defaults"
chmod 0600 "$defaults"
read_default() { sed -n "s/^$1=//p" "$defaults" | tail -n1; }
defaults_changed=no
if [[ -z $(read_default TANDEM_STATS_USER) ]]; then
  printf '%s\n' "# Tandem stats page credentials (vagrant/provision/lb.sh); haproxy.cfg reads them as \${VAR}" \
    "TANDEM_STATS_USER=$stats_user" >>"$defaults"
  defaults_changed=yes
fi
if [[ -z $(read_default TANDEM_STATS_PASSWORD) ]]; then
  # 24 chars of [A-Za-z0-9]: safe unquoted in an EnvironmentFile and in an HTTP basic-auth header.
  password=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)
  printf 'TANDEM_STATS_PASSWORD=%s\n' "$password" >>"$defaults"
  defaults_changed=yes
  tandem_log "generated stats password (in $defaults)"
fi
# The rendered haproxy.cfg drops root after binding when this is set (see haproxy/cfg/10-global.cfg.tmpl).
if [[ -z $(read_default TANDEM_HAPROXY_USER) ]]; then
  printf 'TANDEM_HAPROXY_USER=haproxy\n' >>"$defaults"
  defaults_changed=yes
fi
TANDEM_HAPROXY_USER=$(read_default TANDEM_HAPROXY_USER)
TANDEM_STATS_USER=$(read_default TANDEM_STATS_USER)
TANDEM_STATS_PASSWORD=$(read_default TANDEM_STATS_PASSWORD)
export TANDEM_STATS_USER TANDEM_STATS_PASSWORD TANDEM_HAPROXY_USER

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tandem_lb_render "$stage" "" NAME="$name" IP="$ip" PEER_IP="$peer_ip" VIP="$vip" PREFIX="$prefix" \
  IFACE="$iface" PRIORITY="$priority" VRID="$vrid" BALANCE="$balance" WEIGHTS="$weights" \
  STATS_USER="$TANDEM_STATS_USER" STATS_PASSWORD="$TANDEM_STATS_PASSWORD" \
  SOCKET=/run/haproxy/admin.sock LOG=syslog SCRIPT_USER=keepalived_script \
  RENDERER="$src/haproxy/render-haproxy.sh" "${nodes[@]}"

# --- sysctl first: HAProxy cannot bind the VIP on the BACKUP without it.
tandem_install_file "$stage/etc/sysctl.d/60-tandem-lb.conf" /etc/sysctl.d/60-tandem-lb.conf 0644 root:root
sysctl -q -p /etc/sysctl.d/60-tandem-lb.conf

# --- HAProxy: validate the rendered file before it replaces a working one.
haproxy -c -q -f "$stage/etc/haproxy/haproxy.cfg" || tandem_die "rendered haproxy.cfg does not validate"
tandem_install_file "$stage/etc/haproxy/haproxy.cfg" /etc/haproxy/haproxy.cfg 0640 root:haproxy
if [[ $defaults_changed == yes ]]; then
  # The environment is read at start only (a reload re-executes with the old one): restart. This happens
  # on the first run, when the package's haproxy is still running with Debian's stock config.
  tandem_unit_apply haproxy.service yes restart
else
  # reload = SIGUSR2 to the master: listening sockets are handed over, no connection refused.
  tandem_unit_apply haproxy.service "$TANDEM_CHANGED" reload
fi

# --- keepalived: script + credentials first (keepalived checks the script's ownership when it loads).
tandem_install_file "$stage/etc/keepalived/tandem-chk-haproxy" /etc/keepalived/tandem-chk-haproxy 0755 root:root
ka_changed=$TANDEM_CHANGED
tandem_install_file "$stage/etc/keepalived/tandem-stats.auth" /etc/keepalived/tandem-stats.auth 0400 keepalived_script:keepalived_script
tandem_keepalived_test "$stage/etc/keepalived/keepalived.conf" || tandem_die "rendered keepalived.conf does not validate"
tandem_install_file "$stage/etc/keepalived/keepalived.conf" /etc/keepalived/keepalived.conf 0640 root:root
[[ $TANDEM_CHANGED == no ]] || ka_changed=yes
# HUP re-reads the config without dropping the VIP (restart would let the peer take it).
tandem_unit_apply keepalived.service "$ka_changed" reload

# The check keepalived will run must pass here, as keepalived will run it; otherwise this balancer would
# sit in FAULT and the cause would only show in the journal.
read -r -a check < <(tandem_lb_check_cmd /etc/keepalived/keepalived.conf)
deadline=$((SECONDS + 60))
until runuser -u keepalived_script -- "${check[@]}"; do
  if ((SECONDS >= deadline)); then
    tandem_unit_diagnose haproxy.service
    tandem_die "keepalived's HAProxy check fails: ${check[*]}"
  fi
  sleep 1
done
holder=no
[[ -z $(ip -o -4 addr show to "$vip/32") ]] || holder=yes
tandem_log "HAProxy health check passes; this balancer holds the VIP $vip now: $holder"

# `vagrant up` returns when every machine is provisioned: from then on the VIP must answer. So wait here
# until one balancer holds it and it serves the API through a ready node. Providers that start machines in
# parallel (libvirt) provision the balancers before the app VMs are ready; the wait covers that. Deadlines
# in seconds (TANDEM_LB_WAIT_SECONDS overrides): a JVM starting under emulation takes minutes.
deadline=$((SECONDS + ${TANDEM_LB_WAIT_SECONDS:-900}))
for what in lb/health api/node; do
  until curl -fs -o /dev/null --max-time 3 "http://$vip/$what"; do
    ((SECONDS < deadline)) || tandem_die "the VIP http://$vip/$what did not answer 200 in time"
    sleep 1
  done
done
tandem_log "the VIP http://$vip/ answers, and serves the API through a ready node"
