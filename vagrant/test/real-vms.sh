#!/usr/bin/env bash
# real-vms.sh: the Vagrant lab on real VMs, as an acceptance test, in one command (as root):
#   build or reuse the test box (realvm/box.sh), start a private libvirtd in a network namespace with no route
#   out (realvm/libvirt-ns.sh), `vagrant up` the project's own Vagrantfile there, run the failover walkthrough
#   against the VIP from inside the namespace (realvm/walkthrough.sh), print a table of figures, and destroy
#   everything (VMs, volumes, networks, libvirtd, namespace; the box too with --remove-box), also on failure.
#
# Usage: vagrant/test/real-vms.sh [--nodes N] [--deploy jar|war] [--driver kvm|qemu] [--remove-box] [--keep]
#   --nodes N     app VMs (default 2, or TANDEM_NODES); plus lb1 and lb2
#   --deploy      what the app VMs run: the fat jar (default) or the WAR in a Jetty 12 distribution
#   --driver      libvirt domain type: kvm with hardware virtualization, qemu (TCG, full emulation) without;
#                 default: kvm when the CPU flags show vmx/svm, else qemu
#   --remove-box  also remove the box from Vagrant and its cache afterwards (default: keep it for the next run)
#   --keep        leave the lab running at the end (for a look with `ip netns exec tdmvm vagrant ssh ...`);
#                 run again without --keep, or `realvm/libvirt-ns.sh down tdmvm DIR`, to take it down
# Env: the Vagrantfile's settings pass through (TANDEM_CLASS_ARCHIVE=off: jar nodes without a class archive).
# Needs: target/tandem.jar (or .war) and target/jetty-home, i.e. `mvn -B package` first. Installs the Debian
# packages it needs when missing. Figures and logs: target/real-vms/ (results.txt, up.log, walkthrough logs).
# Exit: 0 all steps passed; 1 a step failed; 2 usage; 77 cannot run here (not root, no namespaces).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
nodes=${TANDEM_NODES:-2} deploy=jar driver="" remove_box=no keep=no
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --nodes) nodes=${2:?}; shift 2 ;;
    --deploy) deploy=${2:?}; shift 2 ;;
    --driver) driver=${2:?}; shift 2 ;;
    --remove-box) remove_box=yes; shift ;;
    --keep) keep=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "real-vms: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $nodes =~ ^[1-9]$ ]] || { echo "real-vms: --nodes must be 1..9" >&2; exit 2; }
[[ $deploy == jar || $deploy == war ]] || { echo "real-vms: --deploy must be jar or war" >&2; exit 2; }
if [[ -z $driver ]]; then
  driver=qemu
  grep -qwE 'vmx|svm' /proc/cpuinfo && [[ -w /dev/kvm ]] && driver=kvm
fi
[[ $driver == kvm || $driver == qemu ]] || { echo "real-vms: --driver must be kvm or qemu" >&2; exit 2; }
[[ $EUID -eq 0 ]] || { echo "real-vms: needs root (network namespace, libvirtd)" >&2; exit 77; }
[[ -f $repo/target/tandem.$deploy && -e $repo/target/jetty-home ]] ||
  { echo "real-vms: target/tandem.$deploy or target/jetty-home missing: run mvn -B package first" >&2; exit 2; }

run=$repo/target/real-vms
ns=tdmvm
mkdir -p "$run"
rm -f "$run"/*.txt "$run"/*.log "$run/stop-load"
results=$run/results.txt
started=$SECONDS
log() { printf '[real-vms %s] %s\n' "$(date +%T)" "$*" >&2; }
row() { printf '%-12s | %-4s | %s\n' "$@" | tee -a "$results"; }

packages=(qemu-system-x86 qemu-utils seabios ipxe-qemu libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
  dnsmasq-base ebtables iptables vagrant vagrant-libvirt mmdebstrap debian-archive-keyring e2fsprogs curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$run/apt.log" 2>&1 ||
    { log "apt-get install failed (see $run/apt.log)"; exit 1; }
fi

export VAGRANT_CWD=$repo/vagrant VAGRANT_DOTFILE_PATH=$run/.vagrant VAGRANT_DEFAULT_PROVIDER=libvirt
export TANDEM_NODES=$nodes TANDEM_DEPLOY=$deploy TANDEM_LIBVIRT_DRIVER=$driver
# Emulated CPUs: C2's compiles would take minutes of CPU per JVM start; C1 code is good enough for a lab.
[[ $driver == kvm ]] || export TANDEM_JAVA_EXTRA_OPTS=${TANDEM_JAVA_EXTRA_OPTS--XX:TieredStopAtLevel=1}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  local rc=$?
  if [[ $keep == yes ]]; then
    log "--keep: the lab stays up (namespace $ns, run dir $run)"
  else
    log "destroying the lab"
    timeout 300 ip netns exec "$ns" vagrant destroy -f >"$run/destroy.log" 2>&1 || true
    "$here/realvm/libvirt-ns.sh" down "$ns" "$run" || true
    rm -rf "$run/.vagrant"
    if [[ $remove_box == yes && -n ${box:-} ]]; then
      vagrant box remove --force "$box" >/dev/null 2>&1 || true
      rm -f "${TANDEM_BOX_CACHE:-/var/cache/tandem-box}/$box.box"
    fi
  fi
  log "total $((SECONDS - started)) s, exit $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A previous run's leftovers (killed before its cleanup) go first.
"$repo/vagrant/test/realvm/libvirt-ns.sh" down "$ns" "$run" >/dev/null 2>&1 || true
: >"$results"
t0=$SECONDS
box=$("$here/realvm/box.sh")
row box ok "$box ready in $((SECONDS - t0)) s (built or reused by content hash)"
export TANDEM_BOX=$box
"$here/realvm/libvirt-ns.sh" up "$ns" "$run"

log "vagrant up: $nodes app VMs ($deploy) + lb1 + lb2, driver $driver (log: $run/up.log)"
t0=$SECONDS
rc=0
ip netns exec "$ns" vagrant up --provider=libvirt </dev/null 2>&1 |
  while IFS= read -r line; do printf '%5d %s\n' "$((SECONDS - t0))" "$line"; done >"$run/up.log" || rc=$?
up_s=$((SECONDS - t0))
per_vm=$(awk '$2 == "==>" || $2 ~ /^[a-z]+[0-9]:$/ { n = $2; sub(/:$/, "", n); if ($2 == "==>") { n = $3; sub(/:$/, "", n) } last[n] = $1 }
  END { for (n in last) printf "%s %s s, ", n, last[n] }' "$run/up.log")
if [[ $rc != 0 ]] || grep -q 'The SSH command responded with a non-zero exit status' "$run/up.log"; then
  row vagrant-up FAIL "rc $rc after $up_s s (see $run/up.log)"
  exit 1
fi
row vagrant-up ok "$up_s s in all; last line per VM: ${per_vm%, }"

# What the VMs cost the host: resident memory, and CPU over 20 idle seconds.
vm_cpu() { ps -C qemu-system-x86_64 -o times=,rss=,args= | sed -n 's/^ *\([0-9]*\) *\([0-9]*\) .*guest=vagrant_\([a-z0-9]*\).*/\3 \1 \2/p' | sort; }
before=$(vm_cpu)
sleep 20
after=$(vm_cpu)
usage_line=$(join <(echo "$before") <(echo "$after") |
  awk '{ printf "%s %d MiB %.0f%% core, ", $1, $5 / 1024, ($4 - $2) * 100 / 20 }')
row vm-cost ok "idle, per VM: ${usage_line%, }"

RVM_NS=$ns RVM_NODES=$nodes RVM_DEPLOY=$deploy RVM_RUN=$run \
  "$here/realvm/walkthrough.sh" 2>"$run/walkthrough.log" | tee -a "$results" || rc=$?
row total "$([[ $rc == 0 ]] && echo ok || echo FAIL)" "$((SECONDS - started)) s until the walkthrough ended (destroy follows)"
echo
cat "$results"
exit "$rc"
