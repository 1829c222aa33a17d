#!/usr/bin/env bash
# Base setup for every Tandem VM (run by the Vagrantfile's "common" provisioner, as root).
# Usage: common.sh --hosts NAME=IP,NAME=IP,...
#   --hosts  every machine of the table: written to /etc/hosts so operators (and logs) can use names;
#            the services themselves are configured with IPs and never depend on resolution.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=system.sh
. "$here/system.sh"
usage() { awk 'NR > 1 && /^#/ && !/shellcheck/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
TANDEM_LOG_TAG=common

hosts=""
while (($#)); do
  case $1 in
    --hosts) hosts=${2:?--hosts needs a value}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) tandem_die "unknown option $1" ;;
  esac
done
[[ $EUID -eq 0 ]] || tandem_die "run as root"

tandem_apt_install ca-certificates curl rsync

# Managed block in /etc/hosts, rewritten as a whole so re-runs and a changed TANDEM_NODES converge.
if [[ -n $hosts ]]; then
  block=$(mktemp)
  trap 'rm -f "$block"' EXIT
  {
    echo "# BEGIN tandem (vagrant/provision/common.sh)"
    IFS=, read -r -a pairs <<<"$hosts"
    for pair in "${pairs[@]}"; do
      name=${pair%%=*} ip=${pair#*=}
      tandem_require tandem_is_name "$name" "host name"
      tandem_require tandem_is_ipv4 "$ip" "host ip"
      printf '%s\t%s\n' "$ip" "$name"
    done
    echo "# END tandem"
  } >"$block"
  new=$(mktemp)
  # Drop the old block, and Debian's "127.0.1.1 <hostname>" line: it makes the own name resolve to
  # loopback, which is exactly what a cluster member must never advertise.
  awk -v me="$(hostname)" '
    /^# BEGIN tandem/ { skip = 1; next }
    /^# END tandem/ { skip = 0; next }
    skip { next }
    $1 == "127.0.1.1" { for (i = 2; i <= NF; i++) if ($i == me) next }
    { print }' /etc/hosts >"$new"
  cat "$block" >>"$new"
  tandem_install_file "$new" /etc/hosts 0644 root:root
  rm -f "$new"
  [[ $TANDEM_CHANGED == no ]] || tandem_log "/etc/hosts updated"
fi
tandem_log "base setup done"
