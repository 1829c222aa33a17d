#!/usr/bin/env bash
# walkthrough.sh: the vagrant/README.md failover walkthrough, run against a real-VM lab from inside its
# network namespace, with figures. Called by vagrant/test/real-vms.sh once `vagrant up` has returned; every
# client command runs in the namespace (rvm_ns), every action on a VM through `vagrant ssh` (also there).
#
# Steps (each prints one figure line to stdout as "name | result | detail"; exit 1 at the end if any failed):
#   vip-at-once   the VIP answers /lb/health and a session request on the first try, right after `up`
#   sessions      a session made through the VIP reads the same counter directly on every app VM
#   node-kill     kill -9 of the service that served the session: the session is kept (next value follows)
#   class-arch    (jar) every node runs from the class archive app.sh made: its maps show /opt/tandem/tandem.jsa
#                 (none does with TANDEM_CLASS_ARCHIVE=off); and how long the killed node took to be ready again
#   vip-move      HAProxy stopped on the VIP holder: time until the VIP answers through the other balancer
#   redeploy      vagrant/bin/redeploy of a new build (the artifact with one file more) to every app VM under a
#                 session load: every VM installs it, no failed request, no lost write
# Env: RVM_NS, RVM_NODES, RVM_DEPLOY (jar|war), RVM_RUN (run dir for logs), VAGRANT_CWD, VAGRANT_DOTFILE_PATH.
set -euo pipefail

ns=${RVM_NS:?} nodes=${RVM_NODES:?} deploy=${RVM_DEPLOY:?} run=${RVM_RUN:?}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
vip=http://192.168.56.10
service=tandem; [[ $deploy == war ]] && service=tandem-jetty
failed=0
jar=$run/cookies
log() { printf '[walkthrough %s] %s\n' "$(date +%T)" "$*" >&2; }
figure() { printf '%-12s | %-4s | %s\n' "$1" "$2" "$3"; [[ $2 == ok ]] || failed=1; }
in_ns() { ip netns exec "$ns" "$@"; }
vm() { in_ns vagrant ssh "$1" -c "$2" -- -q </dev/null; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# One request: prints "CODE NODE BALANCER BODY" (CODE 000 = no answer within RVM_REQUEST_TIMEOUT s: under
# emulation a cold code path, a node's first session write say, takes seconds; "-" = header absent).
req() {
  local method=$1 url=$2
  rm -f "$run/body"
  in_ns curl -s -X "$method" -b "$jar" -c "$jar" --max-time "${RVM_REQUEST_TIMEOUT:-30}" -o "$run/body" \
    -w '%{http_code} -%header{x-tandem-node} -%header{x-tandem-balancer}' "$url" 2>/dev/null | sed 's/ -\([^ ]\)/ \1/g' || true
  printf ' %s\n' "$(tr -d '\n' <"$run/body" 2>/dev/null)"
}
# The counter in an answer: {"value":N} from POST /api/session/counter, {"counter":N,...} from GET /api/session.
counter_of() { sed -n 's/.*"\(value\|counter\)":\([0-9]*\).*/\2/p' <<<"$1"; }
node_of() { awk '{print $2}' <<<"$1"; }
balancer_of() { awk '{print $3}' <<<"$1"; }

# --- 1. the VIP answers as soon as `vagrant up` returned
rm -f "$jar"
t0=$(now)
health=$(req GET "$vip/lb/health") first=$(req POST "$vip/api/session/counter")
if [[ $health == 200* && $first == 200* ]]; then
  figure vip-at-once ok "/lb/health ${health%% *} through $(balancer_of "$health"), first session request ${first%% *} from $(node_of "$first"), on the first try, both in $(since "$t0") s"
else
  figure vip-at-once FAIL "/lb/health '${health:0:60}', session request '${first:0:80}'"
fi

# --- 2. one session, seen by every app VM
value=$(counter_of "$first")
for _ in 1 2 3 4; do last=$(req POST "$vip/api/session/counter"); value=$(counter_of "$last"); done
# Straight to each app VM with the session's cookie (the jar holds it for the VIP's address only).
cookie=$(awk '$6 == "JSESSIONID" { print $7 }' "$jar")
seen=()
for ((i = 1; i <= nodes; i++)); do
  got=$(in_ns curl -s --max-time "${RVM_REQUEST_TIMEOUT:-30}" -H "Cookie: JSESSIONID=$cookie" "http://192.168.56.$((10 + i)):8080/api/session" || true)
  seen+=("app$i=$(counter_of "$got")")
done
if [[ $value == 5 && $(printf '%s\n' "${seen[@]}" | grep -c '=5$') == "$nodes" ]]; then
  figure sessions ok "counter 5 through the VIP; read directly: ${seen[*]}"
else
  figure sessions FAIL "counter ${value:-none} through the VIP; read directly: ${seen[*]}"
fi

# --- 3. kill -9 of the node that serves the session
victim=$(node_of "$last")
[[ $victim =~ ^app[0-9]+$ ]] || victim=app1
log "kill -9 $service on $victim"
t0=$(now)
vm "$victim" "sudo systemctl kill --signal=KILL $service" >/dev/null 2>&1 || true
refused=0 next=""
deadline=$((SECONDS + 900))
while ((SECONDS < deadline)); do
  answer=$(req POST "$vip/api/session/counter")
  if [[ $answer == 200* ]]; then next=$(counter_of "$answer"); break; fi
  refused=$((refused + 1))
  sleep 0.5
done
gap=$(since "$t0")
if [[ $next == $((value + 1)) ]]; then
  figure node-kill ok "session kept: $value -> $next served by $(node_of "$answer") ${gap} s after the kill; $refused answers were not 200 meanwhile"
else
  figure node-kill FAIL "after the kill of $victim: counter '${next:-no answer}' (expected $((value + 1))) after ${gap} s, $refused refused"
fi
value=${next:-$value}
# The killed node comes back (systemd Restart=on-failure) before the next step takes a balancer away.
t0=$(now)
until vm "$victim" "curl -fs -o /dev/null http://127.0.0.1:8080/health/ready" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || { figure node-back FAIL "$victim not ready again within the deadline"; break; }
  sleep 2
done
back=$(since "$t0")
log "$victim ready again $back s later"

# --- 3b. jar nodes start from the class archive their provisioning made (a restart's start ~0.6x)
if [[ $deploy == jar ]]; then
  mapped=()
  for ((i = 1; i <= nodes; i++)); do
    # shellcheck disable=SC2016 # expanded on the VM
    m=$(vm "app$i" 'sudo grep -q /opt/tandem/tandem.jsa /proc/$(systemctl show -p MainPID --value tandem)/maps && echo yes || echo no' 2>/dev/null | tr -d '\r' || true)
    mapped+=("app$i=${m:-no}")
  done
  want=yes; [[ ${TANDEM_CLASS_ARCHIVE:-on} == off ]] && want=no
  if printf '%s\n' "${mapped[@]}" | grep -qv "=$want\$"; then
    figure class-arch FAIL "/opt/tandem/tandem.jsa mapped by the node (TANDEM_CLASS_ARCHIVE=${TANDEM_CLASS_ARCHIVE:-on}): ${mapped[*]}"
  else
    figure class-arch ok "/opt/tandem/tandem.jsa mapped (TANDEM_CLASS_ARCHIVE=${TANDEM_CLASS_ARCHIVE:-on}): ${mapped[*]}; $victim ready again $back s after it answered the session again"
  fi
fi

# --- 4. HAProxy stops on the balancer that holds the VIP
holder=$(balancer_of "$(req GET "$vip/lb/health")")
if [[ $holder =~ ^lb[12]$ ]]; then
  other=lb1; [[ $holder == lb1 ]] && other=lb2
  log "stop haproxy on $holder"
  vm "$holder" "sudo systemctl stop haproxy" >/dev/null 2>&1
  t0=$(now) probes=0 misses=0 moved=""
  for ((n = 0; n < 600; n++)); do
    probes=$((probes + 1))
    answer=$(in_ns curl -s --max-time 1 -o /dev/null -w '%{http_code} %header{x-tandem-balancer}' "$vip/lb/health" 2>/dev/null || true)
    if [[ $answer == "200 $other" ]]; then moved=$(since "$t0"); break; fi
    misses=$((misses + 1))
    sleep 0.1
  done
  if [[ -n $moved ]]; then
    figure vip-move ok "HAProxy stopped on $holder: VIP answered through $other after ${moved} s ($misses of $probes probes missed)"
  else
    figure vip-move FAIL "HAProxy stopped on $holder: the VIP never answered through $other ($probes probes)"
  fi
  vm "$holder" "sudo systemctl start haproxy" >/dev/null 2>&1 || true
else
  figure vip-move FAIL "no balancer named in X-Tandem-Balancer ('$holder')"
fi

# --- 5. rolling redeploy under load: a session written every 0.2 s, every answer recorded
# A new build, as `mvn package` then redeploy gives: the artifact with one file more (under META-INF,
# never served), so every VM installs it anew and a jar node's class archive is made again meanwhile.
next_build=$run/tandem-next.$deploy
cp "$repo/target/tandem.$deploy" "$next_build"
mkdir -p "$run/next/META-INF"
date -u +%FT%TZ >"$run/next/META-INF/tandem-walkthrough-build.txt"
jar --update --file "$next_build" -C "$run/next" META-INF/tandem-walkthrough-build.txt
history=$run/redeploy-history.txt
: >"$history"
(
  end=$((SECONDS + 3000))
  while [[ ! -e $run/stop-load ]] && ((SECONDS < end)); do
    printf 'invoke\n' >>"$history"
    answer=$(req POST "$vip/api/session/counter")
    if [[ $answer == 200* ]]; then printf 'ok %s %s\n' "$(counter_of "$answer")" "$(node_of "$answer")" >>"$history"
    elif [[ $answer == 000* ]]; then printf 'unknown\n' >>"$history"
    else printf 'fail %s\n' "${answer%% *}" >>"$history"; fi
    sleep 0.2
  done
) &
loader=$!
t0=$(now)
rc=0
TANDEM_DEPLOY=$deploy in_ns "$repo/vagrant/bin/redeploy" --artifact "$next_build" --ready-timeout "${RVM_READY_TIMEOUT:-600}" >"$run/redeploy.log" 2>&1 || rc=$?
took=$(since "$t0")
touch "$run/stop-load"
wait "$loader" || true
rm -rf "$next_build" "$run/next"
oks=$(grep -c '^ok ' "$history" || true) fails=$(grep -c '^fail ' "$history" || true) unknown=$(grep -c '^unknown' "$history" || true)
# Every acknowledged write present and distinct: the counter values acknowledged go up by exactly one.
gaps=$(awk -v start="$value" '/^ok / { if ($2 != start + 1) bad++; start = $2 } END { print bad + 0 }' "$history")
installed=$(grep -c 'changed: tandem\.\(jar\|war\)' "$run/redeploy.log" || true)
archives=$(grep -c 'making the class archive' "$run/redeploy.log" || true)
if [[ $rc == 0 && $fails == 0 && $unknown == 0 && $gaps == 0 && $oks -gt 0 && $installed == "$nodes" ]]; then
  figure redeploy ok "redeploy of a new build to $nodes app VMs rc 0 in ${took} s ($installed installed, $archives class archives made); under load: $oks ok, 0 failed, 0 unanswered, values consecutive"
else
  figure redeploy FAIL "redeploy rc $rc in ${took} s, $installed of $nodes VMs installed the new build; $oks ok, $fails failed, $unknown unanswered, $gaps out-of-sequence values (see $run/redeploy.log)"
fi
exit "$failed"
