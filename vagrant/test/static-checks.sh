#!/usr/bin/env bash
# static-checks.sh: everything about vagrant/ that can be proven without booting a VM.
#   1. `vagrant validate --ignore-provider` (no hypervisor needed) of the Vagrantfile for TANDEM_NODES=1,3,5
#      and TANDEM_DEPLOY=war (and that bad settings are refused)
#   2. shellcheck on every shell script in vagrant/, bin/, haproxy/ and bench/; every Python file in bench/
#      parses; bench/lib/stacks.py and bench/side/{pairs,ab}_report.py give the known answers for small inputs
#   3. the configs rendered exactly as the provisioners render them on the VMs (provision/lib.sh with
#      the Vagrant addresses): `haproxy -c`, `keepalived -t` for lb1 and lb2 (inside a throwaway network
#      namespace that has the VM's interface name), `systemd-analyze verify` for both node units, and
#      content checks of tandem.env / keepalived.conf
#   4. provisioning helpers: idempotent install, interface lookup by address
#
# Usage: vagrant/test/static-checks.sh        (from anywhere; root needed only for the keepalived check)
# Env:   CI=true   a missing tool (or no root for the namespace) is a failure instead of a skip
# Exit:  0 all passed (or skipped outside CI), 1 something failed. Last line: "N passed, N failed, N skipped".
# shellcheck source-path=SCRIPTDIR
# Checks run as `bash -c '...' _ ARGS`: their $1/$2 must expand in the inner shell, not here.
# shellcheck disable=SC2016
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vagrant_dir=$(dirname "$here")
repo=$(dirname "$vagrant_dir")
# shellcheck source=../provision/lib.sh
. "$vagrant_dir/provision/lib.sh"

CI=${CI:-false}
passed=0 failed=0 skipped=0
work=$(mktemp -d "${TMPDIR:-/tmp}/tandem-static.XXXXXX")
chk_ns="tdmchk$$"
cleanup() { ip netns del "$chk_ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

ok() { passed=$((passed + 1)); printf 'PASS  %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [[ -z ${2:-} ]] || printf '%s\n' "$2" | sed 's/^/      /'; }
skip() {
  if [[ $CI == true ]]; then
    bad "$1" "cannot run (CI=true makes this a failure): $2"
  else
    skipped=$((skipped + 1))
    printf 'SKIP  %s: %s\n' "$1" "$2"
  fi
}
have() { command -v "$1" >/dev/null 2>&1; }
# run NAME CMD... : PASS if CMD exits 0, else FAIL with its output
run() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}

# The Vagrant table's values (Vagrantfile defaults), as the VMs' provisioners receive them.
NET=192.168.56
VIP=$NET.10 APP_IPS="$NET.11,$NET.12,$NET.13" LB_IPS="$NET.2,$NET.3"
IFACE=eth1 # the private network's interface on VirtualBox/libvirt Debian boxes (lb.sh looks it up)

# ------------------------------------------------------------------------------------- 1. Vagrantfile
if have vagrant; then
  export VAGRANT_CWD="$vagrant_dir" VAGRANT_DOTFILE_PATH="$work/dot-vagrant"
  for n in 1 3 5; do
    run "vagrant validate TANDEM_NODES=$n" env TANDEM_NODES=$n vagrant validate --ignore-provider
  done
  run "vagrant validate TANDEM_DEPLOY=war TANDEM_CLASS_ARCHIVE=off" env TANDEM_DEPLOY=war TANDEM_CLASS_ARCHIVE=off vagrant validate --ignore-provider
  run "vagrant validate TANDEM_BALANCE=uri TANDEM_WEIGHTS=app1=3,app2=1" \
    env TANDEM_BALANCE=uri TANDEM_WEIGHTS=app1=3,app2=1 vagrant validate --ignore-provider
  for bad_env in TANDEM_NODES=0 TANDEM_NODES=x TANDEM_DEPLOY=ear TANDEM_NET=192.168 TANDEM_APP_MEMORY=1 TANDEM_BALANCE=random TANDEM_CLASS_ARCHIVE=maybe; do
    if env "$bad_env" vagrant validate --ignore-provider >/dev/null 2>&1; then
      bad "Vagrantfile refuses $bad_env" "vagrant validate accepted it"
    else
      ok "Vagrantfile refuses $bad_env"
    fi
  done
  unset VAGRANT_CWD VAGRANT_DOTFILE_PATH
else
  skip "vagrant validate" "vagrant not installed (apt-get install vagrant)"
fi

# ------------------------------------------------------------------------------------- 2. shellcheck
if have shellcheck; then
  mapfile -t scripts < <(
    for d in vagrant bin haproxy bench; do
      [[ -d $repo/$d ]] || continue
      find "$repo/$d" -type f -not -path '*/.vagrant/*' -print0 | while IFS= read -r -d '' f; do
        case $f in
          *.sh) echo "$f" ;;
          # an if, not "&&": under set -e a non-script as the loop's last file ended the listing there
          *) if head -n1 "$f" 2>/dev/null | grep -qE '^#!.*\b(ba)?sh\b'; then echo "$f"; fi ;;
        esac
      done
    done | sort
  )
  for f in "${scripts[@]}"; do
    run "shellcheck ${f#"$repo"/}" shellcheck -x "$f"
  done
else
  skip "shellcheck" "shellcheck not installed (apt-get install shellcheck)"
fi

# ---------------------------------------------------------------------- 2b. the benchmarks' Python
if have python3; then
  while IFS= read -r -d '' f; do
    run "python3 compiles ${f#"$repo"/}" python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$f"
  done < <(find "$repo/bench" -name '*.py' -print0 | sort -z)
  # bench/profile's summary of an async-profiler profile, on three stacks whose split is known; the
  # same stacks read as bytes allocated (its JFR mode: 100 bytes over 10 requests); bench/pairs' ratios
  # and bench/ab's B against A.
  run "bench/lib/stacks.py gives the known split of bench/lib/testdata/stacks-example.collapsed" bash -c \
    'diff <(python3 "$1/bench/lib/stacks.py" "$1/bench/lib/testdata/stacks-example.collapsed" 200) "$1/bench/lib/testdata/stacks-example.txt"' _ "$repo"
  for r in pairs ab; do
    run "bench/side/${r}_report.py gives the known answer for bench/lib/testdata/$r-example.tsv" bash -c \
      'diff <(python3 "$1/bench/side/$2_report.py" "$1/bench/lib/testdata/$2-example.tsv") "$1/bench/lib/testdata/$2-example.txt"' _ "$repo" "$r"
  done
  run "bench/lib/stacks.py --bytes gives the known split of the same stacks as allocations" bash -c \
    'diff <(python3 "$1/bench/lib/stacks.py" --bytes "$1/bench/lib/testdata/stacks-example.collapsed" 10) "$1/bench/lib/testdata/stacks-example-bytes.txt"' _ "$repo"
else
  skip "the benchmarks' Python" "python3 not installed"
fi

# ------------------------------------------------------------------- 3. rendered configs (VM values)
render_ok=yes
for a in 1 2 3; do
  if ! out=$(tandem_app_render "$work/app$a" "" NODE="app$a" IP="$NET.1$a" APP_IPS="$APP_IPS" LB_IPS="$LB_IPS" \
    VIP="$VIP" 2>&1); then
    bad "render app$a (tandem_app_render)" "$out"
    render_ok=no
  fi
done
[[ $render_ok == no ]] || ok "render app1..3 (tandem_app_render, as app.sh)"

node_args=(--node "app1=$NET.11:8080" --node "app2=$NET.12:8080" --node "app3=$NET.13:8080")
renderer="$repo/haproxy/render-haproxy.sh"
lb_rendered=no
if [[ -x $renderer ]]; then
  lb_rendered=yes
  for lb in lb1 lb2; do
    if [[ $lb == lb1 ]]; then ip=$NET.2 peer=$NET.3 prio=150; else ip=$NET.3 peer=$NET.2 prio=100; fi
    if ! out=$(tandem_lb_render "$work/$lb" "" NAME="$lb" IP="$ip" PEER_IP="$peer" VIP="$VIP" PREFIX=24 \
      IFACE="$IFACE" PRIORITY="$prio" STATS_USER=admin STATS_PASSWORD=staticcheckpassword \
      SOCKET=/run/haproxy/admin.sock LOG=syslog SCRIPT_USER=keepalived_script "${node_args[@]}" 2>&1); then
      bad "render $lb (tandem_lb_render)" "$out"
      lb_rendered=no
    fi
  done
  [[ $lb_rendered == no ]] || ok "render lb1, lb2 (tandem_lb_render, as lb.sh)"
  run "render with BALANCE=source WEIGHTS=app1=3: balance and weight reach haproxy.cfg" bash -c '
    . "$1"; set -e
    tandem_lb_render "$2/lbw" "" NAME=lb1 IP=192.168.56.2 PEER_IP=192.168.56.3 VIP=192.168.56.10 PREFIX=24 \
      IFACE=eth1 PRIORITY=150 STATS_USER=admin STATS_PASSWORD=staticcheckpassword BALANCE=source \
      WEIGHTS=app1=3 --node app1=192.168.56.11:8080 --node app2=192.168.56.12:8080
    grep -q "^    balance source$" "$2/lbw/etc/haproxy/haproxy.cfg"
    grep -q "^    server app1 192.168.56.11:8080 weight 3 agent-port [0-9]*$" "$2/lbw/etc/haproxy/haproxy.cfg"
    grep -q "^    server app2 192.168.56.12:8080 agent-port [0-9]*$" "$2/lbw/etc/haproxy/haproxy.cfg"' _ "$vagrant_dir/provision/lib.sh" "$work"
else
  skip "render lb1, lb2" "haproxy/render-haproxy.sh missing (helper A's renderer)"
fi

# content: what the VMs depend on, stated once more as assertions
env1="$work/app1/etc/tandem/tandem.env"
if [[ -f $env1 ]]; then
  run "tandem.env: JGroups on the private IP, all peers, balancers trusted" bash -c '
    set -e
    f=$1
    grep -qx "TANDEM_NODE=app1" "$f"
    grep -qx "TANDEM_CLUSTER_HOST=192.168.56.11" "$f"
    grep -qx "TANDEM_PEERS=192.168.56.11:7800,192.168.56.12:7800,192.168.56.13:7800" "$f"
    grep -qx "TANDEM_TRUSTED_PROXIES=192.168.56.2/32,192.168.56.3/32,192.168.56.10/32" "$f"' _ "$env1"
  run "tandem.service: TimeoutStopSec > drain + stop timeout" bash -c '
    t=$(sed -n "s/^TimeoutStopSec=//p" "$1"); d=$(sed -n "s/^TANDEM_DRAIN_SECONDS=//p" "$2"); s=$(sed -n "s/^TANDEM_STOP_TIMEOUT=//p" "$2")
    (( t > d + s )) || { echo "TimeoutStopSec=$t drain=$d stop=$s"; exit 1; }' _ "$work/app1/etc/systemd/system/tandem.service" "$env1"
fi
if [[ $lb_rendered == yes && -f $env1 ]]; then
  run "request budget: HAProxy reads maxconn from the node's TANDEM_AGENT_PORT; MAX_QUEUED/QUEUE_MS are its queue depth and timeout queue" bash -c '
    set -e
    a=$(sed -n "s/^TANDEM_AGENT_PORT=//p" "$1"); q=$(sed -n "s/^TANDEM_QUEUE_MS=//p" "$1"); d=$(sed -n "s/^TANDEM_MAX_QUEUED=//p" "$1")
    [[ -n $a && -n $q && -n $d ]]
    if grep -q "^TANDEM_MAX_REQUESTS=" "$1"; then echo "the node derives its own limit; no TANDEM_MAX_REQUESTS"; exit 1; fi
    grep -q "^    default-server .* agent-check agent-inter 2s\$" "$2"
    grep -q "^    server app1 [0-9.]*:8080 agent-port $a\$" "$2"
    if grep -E "^    (default-)?server " "$2" | grep -q "maxconn [0-9]"; then echo "a fixed server maxconn"; exit 1; fi
    grep -q "avg_queue(tandem) ge $d }\$" "$2"
    grep -q "^    timeout queue ${q}ms\$" "$2"' _ "$env1" "$work/lb1/etc/haproxy/haproxy.cfg"
fi
if [[ $lb_rendered == yes ]]; then
  run "keepalived.conf: unicast peers, nopreempt, priorities 150/100, tracked check" bash -c '
    set -e
    for f in "$1" "$2"; do
      grep -q "^    state BACKUP$" "$f"; grep -q "^    nopreempt$" "$f"; grep -q "enable_script_security" "$f"
      grep -q "^        chk_haproxy$" "$f"; grep -q "192.168.56.10/24 dev eth1" "$f"; ! grep -q "authentication" "$f"
    done
    grep -q "^    priority 150$" "$1"; grep -q "unicast_src_ip 192.168.56.2$" "$1"; grep -q "^        192.168.56.3$" "$1"
    grep -q "^    priority 100$" "$2"; grep -q "unicast_src_ip 192.168.56.3$" "$2"; grep -q "^        192.168.56.2$" "$2"
  ' _ "$work/lb1/etc/keepalived/keepalived.conf" "$work/lb2/etc/keepalived/keepalived.conf"
  run "credentials for the check: mode 600 and not inside keepalived.conf" bash -c '
    [[ $(stat -c %a "$1") == 600 ]] && ! grep -q staticcheckpassword "$2" "$3"' _ \
    "$work/lb1/etc/keepalived/tandem-stats.auth" "$work/lb1/etc/keepalived/keepalived.conf" "$work/lb1/etc/haproxy/haproxy.cfg"
fi

# haproxy -c, with the environment lb.sh puts in /etc/default/haproxy
if [[ $lb_rendered == yes ]]; then
  if have haproxy; then
    hap_env=(TANDEM_STATS_USER=admin TANDEM_STATS_PASSWORD=staticcheckpassword)
    if id haproxy >/dev/null 2>&1; then
      hap_env+=(TANDEM_HAPROXY_USER=haproxy)
    else
      echo "note: no 'haproxy' user on this machine; checking without TANDEM_HAPROXY_USER"
    fi
    for lb in lb1 lb2; do
      run "haproxy -c ($lb, as lb.sh renders it)" env "${hap_env[@]}" haproxy -c -f "$work/$lb/etc/haproxy/haproxy.cfg"
    done
  else
    skip "haproxy -c" "haproxy not installed (apt-get install haproxy)"
  fi
fi

# keepalived -t: it refuses a config whose interface does not exist, so test inside a namespace that has
# the VM's interface name; keepalived_script is swapped for nobody only if this machine lacks that user.
if [[ $lb_rendered == yes ]]; then
  if ! have keepalived; then
    skip "keepalived -t" "keepalived not installed (apt-get install keepalived)"
  elif [[ $EUID -ne 0 ]]; then
    skip "keepalived -t" "needs root for a scratch network namespace with interface $IFACE"
  elif ! ip netns add "$chk_ns" 2>/dev/null; then
    skip "keepalived -t" "cannot create a network namespace here"
  else
    ip -n "$chk_ns" link add "$IFACE" type veth peer name "${IFACE}peer"
    ip -n "$chk_ns" link set "$IFACE" up
    for lb in lb1 lb2; do
      conf="$work/$lb/etc/keepalived/keepalived.conf"
      # The rendered config refers to /etc/keepalived/tandem-chk-haproxy (where lb.sh installs it).
      test_conf="$work/$lb/keepalived-test.conf"
      sed "s|/etc/keepalived/|$work/$lb/etc/keepalived/|g" "$conf" >"$test_conf"
      if ! id keepalived_script >/dev/null 2>&1; then
        sed -i 's/^\(    script_user\) keepalived_script$/\1 nobody/' "$test_conf"
      fi
      run "keepalived -t ($lb, as lb.sh renders it)" ip netns exec "$chk_ns" bash -c \
        '. "$1"; tandem_keepalived_test "$2"' _ "$vagrant_dir/provision/lib.sh" "$test_conf"
    done
    # A broken config must fail the same check (guards the exit-code workaround in tandem_keepalived_test).
    sed 's/^    nopreempt$/    nopreempt_typo/' "$work/lb1/keepalived-test.conf" >"$work/lb1/keepalived-broken.conf"
    if ip netns exec "$chk_ns" bash -c '. "$1"; tandem_keepalived_test "$2"' _ "$vagrant_dir/provision/lib.sh" \
      "$work/lb1/keepalived-broken.conf" >/dev/null 2>&1; then
      bad "keepalived -t rejects an unknown keyword" "a broken config passed"
    else
      ok "keepalived -t rejects an unknown keyword"
    fi
    ip netns del "$chk_ns"
  fi
fi

# systemd-analyze verify on both node units
if have systemd-analyze; then
  for unit in tandem.service tandem-jetty.service; do
    f="$work/app1/etc/systemd/system/$unit"
    [[ -f $f ]] || continue
    if [[ ! -x /usr/bin/java ]]; then
      skip "systemd-analyze verify $unit" "/usr/bin/java (ExecStart) missing on this machine"
      continue
    fi
    # verify prints problems but does not always fail on them: any output is a failure.
    rc=0
    out=$(systemd-analyze verify "$f" 2>&1) || rc=$?
    if [[ $rc -eq 0 && -z $out ]]; then ok "systemd-analyze verify $unit"; else bad "systemd-analyze verify $unit" "$out"; fi
  done
else
  skip "systemd-analyze verify" "systemd-analyze not installed"
fi

# The nodes' JVM options: the units, the local lab and bench/idle-memory pass the file to java.
if have java; then
  run "java starts with bin/node-jvm.options" java @"$repo/bin/node-jvm.options" -Xmx64m -version
else
  skip "java starts with bin/node-jvm.options" "java not installed"
fi

# ------------------------------------------------------------------------------------ 4. helpers
run "tandem_install_file: second install of the same file changes nothing" bash -c '
  . "$1"; set -e; src=$2/src.txt; dest=$2/dest/f.txt; echo hi >"$src"
  tandem_install_file "$src" "$dest" 0640 "$(id -un):$(id -gn)"; [[ $TANDEM_CHANGED == yes ]]
  tandem_install_file "$src" "$dest" 0640 "$(id -un):$(id -gn)"; [[ $TANDEM_CHANGED == no ]]
  chmod 0644 "$dest"; tandem_install_file "$src" "$dest" 0640 "$(id -un):$(id -gn)"; [[ $TANDEM_CHANGED == yes ]]
  [[ $(stat -c %a "$dest") == 640 ]]' _ "$vagrant_dir/provision/lib.sh" "$work"
run "tandem_subst refuses a template value it was not given" bash -c '
  . "$1"; printf "a=@A@ b=@B@\n" >"$2/t.tmpl"
  if (tandem_subst "$2/t.tmpl" "$2/t.out" A=1) 2>/dev/null; then exit 1; fi
  tandem_subst "$2/t.tmpl" "$2/t.out" "A=x&y" B=2; [[ $(cat "$2/t.out") == "a=x&y b=2" ]]' _ "$vagrant_dir/provision/lib.sh" "$work"
if [[ $EUID -eq 0 ]] && ip netns add "$chk_ns" 2>/dev/null; then
  ip -n "$chk_ns" link add enp0s8 type veth peer name enp0s8peer
  ip -n "$chk_ns" addr add 192.0.2.11/24 dev enp0s8
  run "tandem_iface_for_ip finds the interface by address (not by name)" ip netns exec "$chk_ns" bash -c \
    '. "$1"; [[ $(tandem_iface_for_ip 192.0.2.11) == enp0s8 && $(tandem_prefix_for_ip 192.0.2.11) == 24 ]] &&
     ! tandem_iface_for_ip 192.0.2.99 2>/dev/null' _ "$vagrant_dir/provision/lib.sh"
  ip netns del "$chk_ns"
else
  skip "tandem_iface_for_ip" "needs root for a scratch network namespace"
fi

echo
echo "static-checks: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
