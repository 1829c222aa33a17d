#!/usr/bin/env bash
# libvirt-ns.sh: a private libvirtd inside a network namespace with no route out, for the real-VM run.
# Every network, bridge, dnsmasq, iptables rule and tap libvirt makes then lives in that namespace, and so
# does every client (vagrant's ssh and rsync, curl, the load): nothing the lab sends can leave the machine.
#
# Usage: libvirt-ns.sh up NS RUNDIR    namespace NS (lo only), resolver pointing nowhere, libvirtd started in
#                                      it (pid in RUNDIR/libvirtd.pid, log RUNDIR/libvirtd.log), pool "default"
#        libvirt-ns.sh down NS RUNDIR  destroy and undefine every domain, volume, network and the pool; stop
#                                      libvirtd by its pid; delete NS. Safe to repeat; also after a failed up.
#        libvirt-ns.sh exec NS CMD...  run CMD in NS
# libvirtd runs without systemd and without the cgroup mounts of the host, so /etc/libvirt/qemu.conf gets a
# managed block (qemu as root, no security driver, no cgroups or mount namespaces, no virtlogd): the box is
# this test's own and nothing else on the machine runs libvirtd (the package libvirt-daemon-system is not
# installed on purpose).
set -euo pipefail

log() { printf '[libvirt-ns %s] %s\n' "$(date +%T)" "$*" >&2; }
cmd=${1:?usage: libvirt-ns.sh up|down|exec NS ...}
ns=${2:?namespace name}
[[ $ns =~ ^[a-z][a-z0-9-]{0,14}$ ]] || { log "bad namespace name $ns"; exit 2; }
virsh_ns() { ip netns exec "$ns" virsh -q -c qemu:///system "$@"; }

qemu_conf_block() {
  local conf=/etc/libvirt/qemu.conf tmp
  tmp=$(mktemp)
  mkdir -p /etc/libvirt && touch "$conf"
  sed '/^# BEGIN tandem real-vm run/,/^# END tandem real-vm run/d' "$conf" >"$tmp"
  cat >>"$tmp" <<'CONF'
# BEGIN tandem real-vm run (vagrant/test/realvm/libvirt-ns.sh)
# libvirtd is started by hand in a network namespace: no systemd, no cgroup mounts, no virtlogd.
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
# END tandem real-vm run
CONF
  cat "$tmp" >"$conf"
  rm -f "$tmp"
}

up() {
  local run=${1:?run dir}
  mkdir -p "$run"
  for u in libvirt-qemu libvirt-dnsmasq; do
    id -u "$u" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$u"
  done
  qemu_conf_block
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # A resolver that answers nothing: names never leave the namespace.
  mkdir -p "/etc/netns/$ns"
  echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
  mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/images /var/lib/libvirt/dnsmasq /run/libvirt
  ip netns exec "$ns" libvirtd --daemon --pid-file="$run/libvirtd.pid" >"$run/libvirtd.log" 2>&1
  local deadline=$((SECONDS + 30))
  until virsh_ns version >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "libvirtd did not answer in 30 s (see $run/libvirtd.log)"; exit 1; }
    sleep 0.5
  done
  if ! virsh_ns pool-info default >/dev/null 2>&1; then
    mkdir -p /var/lib/libvirt/images
    virsh_ns pool-define-as default dir --target /var/lib/libvirt/images >/dev/null
    virsh_ns pool-start default >/dev/null
  fi
  log "libvirtd $(cat "$run/libvirtd.pid") up in namespace $ns"
}

down() {
  local run=${1:?run dir} d n v pid
  if [[ -e /run/netns/$ns ]] && virsh_ns version >/dev/null 2>&1; then
    for d in $(virsh_ns list --all --name); do
      virsh_ns destroy "$d" >/dev/null 2>&1 || true
      virsh_ns undefine "$d" --nvram --remove-all-storage >/dev/null 2>&1 ||
        virsh_ns undefine "$d" >/dev/null 2>&1 || true
    done
    if virsh_ns pool-info default >/dev/null 2>&1; then
      for v in $(virsh_ns vol-list default | awk '{print $1}'); do
        virsh_ns vol-delete --pool default "$v" >/dev/null 2>&1 || true
      done
      virsh_ns pool-destroy default >/dev/null 2>&1 || true
      virsh_ns pool-undefine default >/dev/null 2>&1 || true
    fi
    for n in $(virsh_ns net-list --all --name); do
      virsh_ns net-destroy "$n" >/dev/null 2>&1 || true
      virsh_ns net-undefine "$n" >/dev/null 2>&1 || true
    done
  fi
  if [[ -s $run/libvirtd.pid ]]; then
    pid=$(cat "$run/libvirtd.pid")
    if kill "$pid" 2>/dev/null; then
      local deadline=$((SECONDS + 20))
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$run/libvirtd.pid"
  fi
  # Anything still running in the namespace (a stray qemu, dnsmasq, ssh) goes with it.
  if [[ -e /run/netns/$ns ]]; then
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
  rm -rf "/etc/netns/$ns"
  log "namespace $ns and its libvirtd are gone"
}

case $cmd in
  up) up "${3:-}" ;;
  down) down "${3:-}" ;;
  exec) shift 2; exec ip netns exec "$ns" "$@" ;;
  *) log "unknown command $cmd"; exit 2 ;;
esac
