# shellcheck shell=bash
# Part of vagrant/test/netns-lab.sh, which sources it; shares that script's globals.
# shellcheck disable=SC2034,SC2154
# The lab's wiring: preflight, namespaces and the bridge, rendering every host's files, tearing down.

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
render_apps() { # render_apps CLASS_ARCHIVE (or "")
  local a
  local -a extra=()
  [[ -z ${NETNS_LAB_JAVA_OPTS:-} ]] || extra+=("JAVA_OPTS=$NETNS_LAB_JAVA_OPTS")
  for a in $(apps); do
    tandem_app_render "$RUN/$a" "$RUN/$a" NODE="$a" IP="$(ip_of "$a")" APP_IPS="$(app_ips)" \
      LB_IPS="$(ip_of lb1),$(ip_of lb2)" VIP="$VIP" PORT="$HTTP_PORT" CLASS_ARCHIVE="$1" "${extra[@]}"
  done
}

render_all() {
  local a lb peer prio iface
  local -a node_args=()
  for a in $(apps); do node_args+=(--node "$a=$(ip_of "$a"):$HTTP_PORT"); done
  # One set of cluster credentials, made as the Vagrantfile makes them on the host, installed per app
  # as app.sh installs them on a VM.
  [[ -f $RUN/credentials/cluster.p12 ]] || "$vagrant_dir/../bin/tandem-credentials" "$RUN/credentials" >/dev/null
  for a in $(apps); do
    tandem_install_credentials "$RUN/credentials" "$RUN/$a/etc/tandem/cluster" root
  done
  render_apps ""
  # One class archive for the lab's jar, made, checked and named as app.sh does on a VM (the nodes run
  # as root here); without one the nodes start without it, as there.
  if [[ $APPS == 1 ]] && tandem_app_class_archive "$JAR" "$RUN/tandem.jsa" root "$RUN/app1/etc/tandem/tandem.env"; then
    render_apps "$RUN/tandem.jsa"
  fi
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
      HTTP_PORT=80 STATS_PORT="$STATS_PORT" BALANCE="${NETNS_LAB_BALANCE:-roundrobin}" \
      WEIGHTS="${NETNS_LAB_WEIGHTS:-}" HAPROXY_PROCESS= "${node_args[@]}"
    # Same sysctl file as the VM gets (ip_nonlocal_bind is per network namespace).
    in_ns "$lb" sysctl -q -p "$RUN/$lb/etc/sysctl.d/60-tandem-lb.conf"
  done
}

