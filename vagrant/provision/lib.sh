#!/usr/bin/env bash
# Render functions shared by the Vagrant provisioners (app.sh, lb.sh), the namespace lab
# (test/netns-lab.sh) and the static checks (test/static-checks.sh).
#
# Sourcing this file has no side effects: it only defines functions. Nothing here calls apt, systemctl
# or touches / unless the caller passes / as the output root, so the lab and the checks can render the
# very same files into a scratch directory with other addresses.
#
# Conventions:
#   OUT_ROOT  directory the files are written under (e.g. a staging dir, or the lab's per-host dir)
#   REF_ROOT  prefix written *into* configs when they reference other rendered files ("" on a VM, where the
#             staged files are installed to /; the lab's per-host dir in the lab, where they stay put)
#   Values are KEY=VALUE arguments; templates use @KEY@ placeholders.
# shellcheck shell=bash

TANDEM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TANDEM_VAGRANT_DIR=$(dirname "$TANDEM_LIB_DIR")
TANDEM_FILES_DIR="$TANDEM_VAGRANT_DIR/files"
TANDEM_REPO_DIR=$(dirname "$TANDEM_VAGRANT_DIR")

# jetty-home for WAR nodes when the build's target/jetty-home is not synced; pinned so a VM never runs
# an unexpected archive (sha512 of the file on Maven Central). Used by app.sh.
# shellcheck disable=SC2034
TANDEM_JETTY_VERSION=12.1.5
# shellcheck disable=SC2034
TANDEM_JETTY_SHA512=38d22e7e83bfb415662b20681a9ae4d390406cb9db9632ee237f679b2bbe6958224f31c031bd84a974c72af64ef7a42a27fed738f80e5a77ea5d081a8eb743f8

tandem_log() { printf '[tandem %s] %s\n' "${TANDEM_LOG_TAG:-provision}" "$*" >&2; }
tandem_die() { tandem_log "ERROR: $*"; exit 1; }

# --- validation: every value that lands in a config is checked, so a typo fails here and not as a
# --- half-parsed keepalived/systemd file on a VM.
tandem_is_ipv4() {
  local ip=$1 part
  local -a parts
  [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  IFS=. read -r -a parts <<<"$ip"
  for part in "${parts[@]}"; do ((10#$part <= 255)) || return 1; done
}
tandem_is_name() { [[ $1 =~ ^[A-Za-z0-9_-]+$ ]]; }
tandem_is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
tandem_is_port() { tandem_is_uint "$1" && ((10#$1 >= 1 && 10#$1 <= 65535)); }
tandem_is_path() { [[ $1 =~ ^/[A-Za-z0-9_./+-]*$ ]]; }
tandem_is_csv_ipv4() {
  local item
  local -a items
  IFS=, read -r -a items <<<"$1"
  ((${#items[@]} > 0)) || return 1
  for item in "${items[@]}"; do tandem_is_ipv4 "$item" || return 1; done
}

tandem_require() { # tandem_require CHECK VALUE WHAT
  "$1" "$2" || tandem_die "invalid $3: '$2'"
}

# Interface that carries IP (the Vagrant private network), never guessed by name: on VirtualBox and
# libvirt the NAT interface eth0 has the same address on every VM, so binding JGroups there breaks
# the cluster silently. Prints the interface name, fails if no interface has the address.
tandem_iface_for_ip() {
  local ip=$1 iface
  iface=$(ip -o -4 addr show | awk -v ip="$ip" '{ split($4, a, "/"); if (a[1] == ip) { print $2; exit } }')
  [[ -n $iface ]] || { tandem_log "no interface carries $ip"; return 1; }
  printf '%s\n' "${iface%%@*}"
}

# Prefix length of IP on its interface (e.g. 24), so the VIP gets the same netmask as the private net.
tandem_prefix_for_ip() {
  local ip=$1 prefix
  prefix=$(ip -o -4 addr show | awk -v ip="$ip" '{ split($4, a, "/"); if (a[1] == ip) { print a[2]; exit } }')
  [[ -n $prefix ]] || return 1
  printf '%s\n' "$prefix"
}

# tandem_subst TEMPLATE OUT KEY=VALUE... : replaces @KEY@ everywhere, refuses to leave any @KEY@
# unreplaced (a forgotten value must not reach a daemon as literal text). Writes OUT atomically.
tandem_subst() {
  local template=$1 out=$2 content kv key value leftover
  shift 2
  content=$(<"$template")
  for kv in "$@"; do
    key=${kv%%=*}
    value=${kv#*=}
    [[ $key =~ ^[A-Z0-9_]+$ ]] || tandem_die "bad template key '$key'"
    # Quoted pattern and replacement: no glob in the key, no '&' expansion (bash 5.2 patsub_replacement).
    content=${content//"@${key}@"/"$value"}
  done
  leftover=$(grep -oE '@[A-Z0-9_]+@' <<<"$content" | sort -u | tr '\n' ' ' || true)
  [[ -z $leftover ]] || tandem_die "$template: no value for $leftover"
  mkdir -p "$(dirname "$out")"
  printf '%s\n' "$content" >"$out.tmp.$$"
  mv -f "$out.tmp.$$" "$out"
}

# tandem_install_file SRC DEST MODE OWNER:GROUP : copies only when content/mode/owner differ; sets
# TANDEM_CHANGED=yes|no so the caller restarts a daemon only when its input really changed (this is
# what makes re-provisioning safe on a running cluster).
tandem_install_file() {
  local src=$1 dest=$2 mode=$3 owner=$4
  TANDEM_CHANGED=no
  if [[ -f $dest ]] && cmp -s "$src" "$dest" &&
    [[ $(stat -c '%a %U:%G' "$dest") == "$(printf '%o' "$((8#$mode))") $owner" ]]; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  # New inode via rename: a running JVM that has the old jar mapped keeps reading the old file.
  install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest.new.$$"
  mv -f "$dest.new.$$" "$dest"
  # shellcheck disable=SC2034 # read by the callers
  TANDEM_CHANGED=yes
}

# tandem_peers CLUSTER_PORT IP,IP,... -> "IP:PORT,IP:PORT,..."
tandem_peers() {
  local port=$1 ip out=""
  local -a ips
  IFS=, read -r -a ips <<<"$2"
  for ip in "${ips[@]}"; do out+="${out:+,}$ip:$port"; done
  printf '%s\n' "$out"
}

# tandem_cidrs IP,IP,... -> "IP/32,IP/32,..." (the node takes CIDRs for --trusted-proxies)
tandem_cidrs() {
  local ip out=""
  local -a ips
  IFS=, read -r -a ips <<<"$1"
  for ip in "${ips[@]}"; do out+="${out:+,}$ip/32"; done
  printf '%s\n' "$out"
}

# ---------------------------------------------------------------------------------------------------
# App node: tandem_app_render OUT_ROOT REF_ROOT KEY=VALUE...
#   NODE IP APP_IPS LB_IPS VIP  [HTTP_HOST=0.0.0.0 PORT=8080 CLUSTER_PORT=7800 DRAIN_SECONDS=3 STOP_TIMEOUT=30
#   JAVA_OPTS="..." DEPLOY=jar|war JETTY_HOME=/opt/jetty-home JETTY_BASE=/var/lib/tandem/jetty-base]
# Writes OUT_ROOT/etc/tandem/tandem.env and OUT_ROOT/etc/systemd/system/tandem{,-jetty}.service.
# ---------------------------------------------------------------------------------------------------
# tandem_limit KEY : a value of haproxy/node-limits.env, the request budget the nodes (tandem.env)
# and the balancers (server maxconn, timeout queue) must share: both read it from there.
tandem_limit() {
  local k v
  while IFS='=' read -r k v; do [[ $k == "$1" ]] && { printf '%s' "$v"; return; }; done <"$TANDEM_REPO_DIR/haproxy/node-limits.env"
  tandem_die "haproxy/node-limits.env has no $1"
}

tandem_app_render() {
  local out_root=$1 ref_root=$2 kv
  shift 2
  # HTTP on all addresses: HAProxy reaches the node on the private IP, operators use loopback for
  # /admin/drain (accepted from loopback only); JGroups is bound to the private IP separately.
  local NODE="" IP="" APP_IPS="" LB_IPS="" VIP="" HTTP_HOST=0.0.0.0 PORT=8080 CLUSTER_PORT=7800 DRAIN_SECONDS=3 STOP_TIMEOUT=30
  local JAVA_OPTS="-Xms128m -Xmx384m -XX:+ExitOnOutOfMemoryError -Djava.net.preferIPv4Stack=true"
  local JETTY_HOME=/opt/jetty-home JETTY_BASE=/var/lib/tandem/jetty-base
  for kv in "$@"; do
    case ${kv%%=*} in
      NODE | IP | HTTP_HOST | APP_IPS | LB_IPS | VIP | PORT | CLUSTER_PORT | DRAIN_SECONDS | STOP_TIMEOUT | JAVA_OPTS | JETTY_HOME | JETTY_BASE)
        printf -v "${kv%%=*}" '%s' "${kv#*=}" ;;
      *) tandem_die "tandem_app_render: unknown setting '$kv'" ;;
    esac
  done
  # NODE, PORT, CLUSTER_PORT are the node's options: it checks them and refuses a bad one by name.
  # Here only what the rendered files need: one line per value (EnvironmentFile syntax), numbers
  # where TimeoutStopSec is computed, addresses where peers and trusted proxies are derived.
  local v
  for v in "$NODE" "$PORT" "$CLUSTER_PORT"; do
    [[ -n $v && $v != *$'\n'* ]] || tandem_die "tandem_app_render: NODE, PORT and CLUSTER_PORT must be one non-empty line each"
  done
  tandem_require tandem_is_ipv4 "$IP" IP
  tandem_require tandem_is_ipv4 "$HTTP_HOST" HTTP_HOST
  tandem_require tandem_is_csv_ipv4 "$APP_IPS" APP_IPS
  tandem_require tandem_is_csv_ipv4 "$LB_IPS" LB_IPS
  tandem_require tandem_is_ipv4 "$VIP" VIP
  tandem_require tandem_is_uint "$DRAIN_SECONDS" DRAIN_SECONDS
  tandem_require tandem_is_uint "$STOP_TIMEOUT" STOP_TIMEOUT
  tandem_require tandem_is_path "$JETTY_HOME" JETTY_HOME
  tandem_require tandem_is_path "$JETTY_BASE" JETTY_BASE
  [[ $JAVA_OPTS =~ ^[A-Za-z0-9_.:=+/,\ -]*$ ]] || tandem_die "invalid JAVA_OPTS '$JAVA_OPTS'"
  # systemd must not SIGKILL a node that is still draining/leaving the cluster: drain + Jetty's graceful
  # stop + time to leave Infinispan after state transfer (design notes: rebalance must finish first).
  local timeout_stop=$((DRAIN_SECONDS + STOP_TIMEOUT + 30))
  local -a common=(
    "NODE=$NODE" "HOST=$HTTP_HOST" "PORT=$PORT" "CLUSTER_HOST=$IP" "CLUSTER_PORT=$CLUSTER_PORT"
    "PEERS=$(tandem_peers "$CLUSTER_PORT" "$APP_IPS")" "CREDENTIALS=$ref_root/etc/tandem/cluster"
    "TRUSTED_PROXIES=$(tandem_cidrs "$LB_IPS,$VIP")"
    "DRAIN_SECONDS=$DRAIN_SECONDS" "STOP_TIMEOUT=$STOP_TIMEOUT" "JAVA_OPTS=$JAVA_OPTS"
    "MAX_REQUESTS=$(tandem_limit TANDEM_MAX_REQUESTS)" "QUEUE_MS=$(tandem_limit TANDEM_QUEUE_MS)"
    "TIMEOUT_STOP=$timeout_stop" "ENV_FILE=$ref_root/etc/tandem/tandem.env"
    "JETTY_HOME=$JETTY_HOME" "JETTY_BASE=$JETTY_BASE"
  )
  tandem_subst "$TANDEM_FILES_DIR/tandem.env.tmpl" "$out_root/etc/tandem/tandem.env" "${common[@]}"
  tandem_subst "$TANDEM_FILES_DIR/tandem.service" "$out_root/etc/systemd/system/tandem.service" "${common[@]}"
  tandem_subst "$TANDEM_FILES_DIR/tandem-jetty.service" "$out_root/etc/systemd/system/tandem-jetty.service" "${common[@]}"
}

# tandem_install_credentials SRC_DIR DEST_DIR GROUP : the cluster's credentials (bin/tandem-credentials
# cluster.p12 and password) into DEST_DIR, root-owned and readable by GROUP only (the node checks that no
# one else can read them). Sets TANDEM_CHANGED like tandem_install_file.
tandem_install_credentials() {
  local src=$1 dest=$2 group=$3 f changed=no
  for f in cluster.p12 password; do
    [[ -f $src/$f ]] || tandem_die "$src/$f missing: the cluster's credentials are made on the host (bin/tandem-credentials)"
  done
  install -d -m 0750 -o root -g "$group" "$dest"
  for f in cluster.p12 password; do
    tandem_install_file "$src/$f" "$dest/$f" 0640 "root:$group"
    [[ $TANDEM_CHANGED == no ]] || changed=yes
  done
  TANDEM_CHANGED=$changed
}

# tandem_env_exports FILE : prints "KEY=VALUE" lines of a systemd EnvironmentFile (as systemd reads our
# unquoted lines: the rest of the line is the value), for callers that start the node without systemd.
tandem_env_lines() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || continue
    printf '%s\n' "$line"
  done <"$1"
}

# ---------------------------------------------------------------------------------------------------
# Load balancer: tandem_lb_render OUT_ROOT REF_ROOT KEY=VALUE... [--node NAME=IP:PORT ...]
#   NAME IP PEER_IP VIP PREFIX IFACE PRIORITY STATS_USER STATS_PASSWORD
#   [VRID=51 HTTP_PORT=80 STATS_PORT=8404 SOCKET=/run/haproxy/admin.sock LOG=syslog
#    SCRIPT_USER=keepalived_script BALANCE=roundrobin WEIGHTS= STATS_URI=/ RENDERER=<repo>/haproxy/render-haproxy.sh]
#   BALANCE, WEIGHTS and the --node specs are the renderer's to check (haproxy/render-haproxy.sh).
# Writes under OUT_ROOT: etc/haproxy/haproxy.cfg, etc/keepalived/keepalived.conf,
# etc/keepalived/tandem-chk-haproxy, etc/keepalived/tandem-stats.netrc, etc/sysctl.d/60-tandem-lb.conf
# ---------------------------------------------------------------------------------------------------
tandem_lb_render() {
  local out_root=$1 ref_root=$2
  shift 2
  local NAME="" IP="" PEER_IP="" VIP="" PREFIX=24 IFACE="" PRIORITY="" STATS_USER="" STATS_PASSWORD=""
  local VRID=51 HTTP_PORT=80 STATS_PORT=8404 SOCKET=/run/haproxy/admin.sock LOG=syslog
  local SCRIPT_USER=keepalived_script BALANCE=roundrobin WEIGHTS="" STATS_URI=/ RENDERER="$TANDEM_REPO_DIR/haproxy/render-haproxy.sh"
  local -a nodes=()
  while (($#)); do
    case $1 in
      --node) nodes+=(--node "$2"); shift 2; continue ;;
      NAME=* | IP=* | PEER_IP=* | VIP=* | PREFIX=* | IFACE=* | PRIORITY=* | STATS_USER=* | STATS_PASSWORD=* | \
        VRID=* | HTTP_PORT=* | STATS_PORT=* | SOCKET=* | LOG=* | SCRIPT_USER=* | BALANCE=* | WEIGHTS=* | STATS_URI=* | RENDERER=*)
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
  "$RENDERER" --bind "$VIP:$HTTP_PORT" --stats-bind "$IP:$STATS_PORT" --socket "$SOCKET" \
    --balance "$BALANCE" --log "$LOG" ${weight_args[@]+"${weight_args[@]}"} \
    --maxconn "$(tandem_limit TANDEM_MAX_REQUESTS)" --queue-ms "$(tandem_limit TANDEM_QUEUE_MS)" "${nodes[@]}" >"$etc/haproxy/haproxy.cfg.tmp.$$" ||
    tandem_die "render-haproxy.sh refused the balancer settings (above)"
  mv -f "$etc/haproxy/haproxy.cfg.tmp.$$" "$etc/haproxy/haproxy.cfg"

  # HAProxy binds the VIP on the BACKUP too (address not local there): keeps both balancers hot so a
  # failover only moves the address, no daemon has to start.
  printf '%s\n' "# rendered by vagrant/provision/lb.sh: HAProxy binds the keepalived VIP even where it is not local" \
    "net.ipv4.ip_nonlocal_bind = 1" >"$etc/sysctl.d/60-tandem-lb.conf"

  # Credentials for the health check only; the daemon reads them as its script_user, nobody else.
  (
    umask 077
    printf 'machine %s login %s password %s\n' "$IP" "$STATS_USER" "$STATS_PASSWORD" >"$etc/keepalived/tandem-stats.netrc"
  )
  install -m 0755 "$TANDEM_FILES_DIR/tandem-chk-haproxy" "$etc/keepalived/tandem-chk-haproxy"

  tandem_subst "$TANDEM_FILES_DIR/keepalived.conf.tmpl" "$etc/keepalived/keepalived.conf" \
    "ROUTER_ID=$NAME" "IFACE=$IFACE" "PRIORITY=$PRIORITY" "VRID=$VRID" "SRC_IP=$IP" "PEER_IP=$PEER_IP" \
    "VIP=$VIP" "PREFIX=$PREFIX" "SCRIPT_USER=$SCRIPT_USER" \
    "CHECK_SCRIPT=$ref_etc/keepalived/tandem-chk-haproxy http://$IP:$STATS_PORT$STATS_URI $ref_etc/keepalived/tandem-stats.netrc"
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
