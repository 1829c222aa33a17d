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
# shellcheck shell=bash source-path=SCRIPTDIR

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
# The port each app VM's node answers HAProxy's agent check on (its request limit, which the node
# derives from the VM's cores, becomes the server's maxconn): tandem.env's TANDEM_AGENT_PORT and the
# balancers' --agent-port.
TANDEM_AGENT_PORT=8081

# tandem_limit KEY : a value of haproxy/node-limits.env, the request budget the nodes (tandem.env)
# and the balancers (queue depth, timeout queue) must share: both read it from there.
tandem_limit() {
  local k v
  while IFS='=' read -r k v; do [[ $k == "$1" ]] && { printf '%s' "$v"; return; }; done <"$TANDEM_REPO_DIR/haproxy/node-limits.env"
  tandem_die "haproxy/node-limits.env has no $1"
}

# Render functions by role, in files of their own.
# shellcheck source=lib-app.sh
. "$TANDEM_LIB_DIR/lib-app.sh"
# shellcheck source=lib-lb.sh
. "$TANDEM_LIB_DIR/lib-lb.sh"
