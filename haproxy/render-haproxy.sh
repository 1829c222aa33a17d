#!/usr/bin/env bash
# Render the one Tandem HAProxy configuration (haproxy/cfg/*.cfg.tmpl, in name order) to stdout.
# Used by the local lab (bin/tandem-lab), the Vagrant LB VMs and the
# network-namespace lab, so it depends on bash only (3.2+; no sed/envsubst).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: render-haproxy.sh --bind ADDR:PORT --stats-bind ADDR:PORT --socket PATH
                         --node NAME=HOST:PORT [--node ...]
                         [--balance roundrobin|leastconn|source|uri]
                         [--weights NAME=W,NAME=W,...] [--log stdout|syslog]
                         [--req-rate N] [--session-rate N] --agent-port PORT|+N
                         [--max-queued N] [--queue-ms MS]
                         [--name NAME]

Prints the HAProxy configuration for the given Tandem nodes to stdout.

  --bind ADDR:PORT        frontend "vip" (the address clients use)
  --stats-bind ADDR:PORT  stats page; credentials are read by HAProxy at load
                          time from TANDEM_STATS_USER / TANDEM_STATS_PASSWORD
  --socket PATH           runtime API unix socket (level admin, mode 600)
  --node NAME=HOST:PORT   one per Tandem node; NAME is the HAProxy server name
                          and the node's session-id suffix ([A-Za-z0-9_-])
  --balance ALGO          how requests without a session pick a server:
                          roundrobin (default), leastconn, source or uri
  --weights LIST          per-node weights, e.g. n1=3,n2=1 (default 1 each;
                          HAProxy takes 0..256, 0 = no balanced traffic)
  --log TARGET            stdout (default; ISO timestamps, for a captured log
                          file or a container) or syslog (/dev/log)
  --req-rate N            requests per second one client address may send
                          through the VIP; more get 429 + Retry-After: 1
                          (default $TANDEM_EDGE_REQ_RATE, else 200)
  --session-rate N        new sessions per minute one client address may get;
                          over it, its requests get 429 + Retry-After: 60
                          (default $TANDEM_EDGE_SESSION_RATE, else 30)
  --agent-port PORT|+N    the nodes' --agent-port (or N above each node's own
                          port): HAProxy reads each node's request limit there
                          and makes it that server's maxconn
  --max-queued N          requests that may wait per server up; one more gets
                          503 at once: must equal the nodes' --max-queued
                          (default: TANDEM_MAX_QUEUED in haproxy/node-limits.env)
  --queue-ms MS           how long a request may wait for a node before 503
                          (default: TANDEM_QUEUE_MS in haproxy/node-limits.env)
  --name NAME             this balancer's name, sent in X-Tandem-Balancer on every
                          answer so a client (the dashboard) sees the VIP move
                          between keepalived's pair (default: haproxy)

The edge limits' environment variables let a harness that drives the VIP from
one address at benchmark rates (bin/tandem-lab's tests, bench/run) raise them
without a flag in every script between it and this one.

Optional environment read by HAProxy (not by this script):
  TANDEM_HAPROXY_USER     drop root to this user (and its same-named group)
                          after binding

Check the result with:
  TANDEM_STATS_USER=u TANDEM_STATS_PASSWORD=p haproxy -c -f FILE
EOF
}

die() { printf 'render-haproxy.sh: %s\n' "$*" >&2; exit 2; }

# Values are pasted into the config unquoted: refuse anything HAProxy would
# split or treat as a comment rather than emit a config that means something
# else.
safe_value() { [[ $2 =~ ^[A-Za-z0-9_.:/@+-]+$ ]] || die "$1: unsafe characters in '$2'"; }
addr_port() { [[ $2 =~ ^.+:[0-9]{1,5}$ ]] || die "$1: expected ADDR:PORT, got '$2'"; safe_value "$1" "$2"; }

# The edge limits' defaults: the one place their numbers live (README "Edge limits").
# 200 requests/s: a browser page load or the dashboard stays far below, a flood is cut
# within a second. 30 new sessions/min: a person needs one; a script creating them in a
# loop gets 30 a minute instead of hundreds a second.
req_rate=${TANDEM_EDGE_REQ_RATE:-200} session_rate=${TANDEM_EDGE_SESSION_RATE:-30}
bind="" stats_bind="" socket="" balance=roundrobin log=stdout weights="" agent_port="" queue_ms="" max_queued="" balancer=haproxy
names=() addrs=()

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --bind) need_arg "$@"; addr_port "$1" "$2"; bind=$2; shift 2 ;;
    --stats-bind) need_arg "$@"; addr_port "$1" "$2"; stats_bind=$2; shift 2 ;;
    --socket) need_arg "$@"; safe_value "$1" "$2"; socket=$2; shift 2 ;;
    --balance) need_arg "$@"; balance=$2; shift 2 ;;
    --weights) need_arg "$@"; weights=$2; shift 2 ;;
    --log) need_arg "$@"; log=$2; shift 2 ;;
    --req-rate) need_arg "$@"; req_rate=$2; shift 2 ;;
    --session-rate) need_arg "$@"; session_rate=$2; shift 2 ;;
    --agent-port) need_arg "$@"; agent_port=$2; shift 2 ;;
    --queue-ms) need_arg "$@"; queue_ms=$2; shift 2 ;;
    --max-queued) need_arg "$@"; max_queued=$2; shift 2 ;;
    --name)
      need_arg "$@"
      [[ $2 =~ ^[A-Za-z0-9_-]{1,32}$ ]] || die "--name: 1-32 of [A-Za-z0-9_-], got '$2'"
      balancer=$2; shift 2 ;;
    --node)
      need_arg "$@"
      [[ $2 =~ ^([A-Za-z0-9_-]+)=(.+:[0-9]{1,5})$ ]] || die "--node: expected NAME=HOST:PORT, got '$2'"
      name=${BASH_REMATCH[1]} addr=${BASH_REMATCH[2]}
      safe_value --node "$addr"
      for n in ${names[@]+"${names[@]}"}; do
        [[ $n != "$name" ]] || die "--node: duplicate name '$name'"
      done
      names+=("$name"); addrs+=("$addr"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

[[ -n $bind ]] || die "--bind is required"
[[ -n $stats_bind ]] || die "--stats-bind is required"
[[ -n $socket ]] || die "--socket is required"
[[ -n $agent_port ]] || die "--agent-port is required (the nodes' --agent-port)"
[[ $agent_port =~ ^\+?[1-9][0-9]{0,4}$ && ${agent_port#+} -le 65535 ]] || die "--agent-port: a port 1-65535 or +N, got '$agent_port'"
[[ ${#names[@]} -gt 0 ]] || die "at least one --node is required"
case $balance in roundrobin|leastconn|source|uri) ;; *) die "--balance: roundrobin, leastconn, source or uri, got '$balance'" ;; esac
# A limit is a whole number from 1 to 1,000,000 (HAProxy compares integers; 0 would refuse all).
limit() { [[ $2 =~ ^[1-9][0-9]{0,6}$ && $2 -le 1000000 ]] || die "$1: a whole number from 1 to 1000000, got '$2'"; }
limit --req-rate "$req_rate"
limit --session-rate "$session_rate"
case $log in
  stdout) log_line="log stdout format iso local0" ;;
  syslog) log_line="log /dev/log local0" ;;
  *) die "--log: stdout or syslog, got '$log'" ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# The template's parts, in name order (global and defaults, frontend, backends).
templates=("$here"/cfg/*.cfg.tmpl)
[[ -r ${templates[0]} ]] || die "template not found: $here/cfg/*.cfg.tmpl"

# The node's request budget: one file, also the nodes' defaults (haproxy/node-limits.env).
limits="$here/node-limits.env"
[[ -r $limits ]] || die "limits not found: $limits"
limit_of() { # KEY -> its value in $limits
  local k v
  while IFS='=' read -r k v; do [[ $k == "$1" ]] && { printf '%s' "$v"; return; }; done <"$limits"
  die "$limits has no $1"
}
[[ -n $queue_ms ]] || queue_ms=$(limit_of TANDEM_QUEUE_MS)
[[ -n $max_queued ]] || max_queued=$(limit_of TANDEM_MAX_QUEUED)
[[ $max_queued =~ ^[1-9][0-9]{0,4}$ ]] || die "--max-queued: a whole number 1-99999, got '$max_queued'"
[[ $queue_ms =~ ^[0-9]{1,5}$ ]] || die "--queue-ms: a whole number of milliseconds 0-99999, got '$queue_ms'"
# Retry-After: the queue budget in whole seconds, at least 1 (as the nodes say it).
retry_after=$(((queue_ms + 999) / 1000)); ((retry_after >= 1)) || retry_after=1

# --weights n1=3,n2=1: one "weight N" per named server; the range is HAProxy's to check (haproxy -c).
declare -a node_weight=()
if [[ -n $weights ]]; then
  IFS=',' read -r -a pairs <<<"$weights"
  for pair in "${pairs[@]}"; do
    [[ $pair =~ ^([A-Za-z0-9_-]+)=([0-9]+)$ ]] || die "--weights: expected NAME=NUMBER,..., got '$pair'"
    found=""
    for i in "${!names[@]}"; do
      if [[ ${names[i]} == "${BASH_REMATCH[1]}" ]]; then found=$i; fi
    done
    [[ -n $found ]] || die "--weights: no --node named '${BASH_REMATCH[1]}'"
    node_weight[found]=${BASH_REMATCH[2]}
  done
fi

use_servers="" servers="" event_servers=""
for i in "${!names[@]}"; do
  use_servers+="    use-server ${names[i]} if { req.cook(JSESSIONID) -m end .${names[i]} }"$'\n'
  agent=$agent_port
  [[ $agent != +* ]] || agent=$((${addrs[i]##*:} + ${agent_port#+}))
  ((agent <= 65535)) || die "--agent-port $agent_port: ${names[i]}'s agent would be at $agent"
  servers+="    server ${names[i]} ${addrs[i]}${node_weight[i]:+ weight ${node_weight[i]}} agent-port $agent"$'\n'
  event_servers+="    server ${names[i]} ${addrs[i]}${node_weight[i]:+ weight ${node_weight[i]}} track tandem/${names[i]}"$'\n'
done

# Whole-line placeholders become blocks; the others are substituted in place.
# Replacement strings are quoted so bash 5.2's patsub_replacement leaves '&'
# alone (the values are validated anyway).
while IFS= read -r line || [[ -n $line ]]; do
  case $line in
    @@USE_SERVERS@@) printf '%s' "$use_servers"; continue ;;
    @@SERVERS@@) printf '%s' "$servers"; continue ;;
    @@EVENT_SERVERS@@) printf '%s' "$event_servers"; continue ;;
  esac
  line=${line//@@BIND@@/"$bind"}
  line=${line//@@BALANCER@@/"$balancer"}
  line=${line//@@STATS_BIND@@/"$stats_bind"}
  line=${line//@@SOCKET@@/"$socket"}
  line=${line//@@BALANCE@@/"$balance"}
  line=${line//@@LOG@@/"$log_line"}
  line=${line//@@REQ_RATE@@/"$req_rate"}
  line=${line//@@SESSION_RATE@@/"$session_rate"}
  line=${line//@@QUEUE_MS@@/"${queue_ms}ms"}
  line=${line//@@MAX_QUEUED@@/"$max_queued"}
  line=${line//@@RETRY_AFTER@@/"$retry_after"}
  [[ $line != *@@*@@* ]] || die "unknown placeholder in template: $line"
  printf '%s\n' "$line"
done < <(cat "${templates[@]}")
