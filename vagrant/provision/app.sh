#!/usr/bin/env bash
# Provision one Tandem app VM (run by the Vagrantfile's "app" provisioner, as root). Idempotent: a re-run
# with the same inputs changes nothing and restarts nothing.
#
# Usage:
#   app.sh --node app1 --ip 192.168.56.11 --app-ips IP,IP,.. --lb-ips IP,IP --vip IP
#          [--deploy jar|war] [--src /opt/tandem-src] [--port 8080] [--cluster-port 7800]
#          [--drain-seconds 3] [--stop-timeout 30] [--artifact FILE] [--restart changed|always|never]
#          [--credentials DIR] [--java-extra-opts "OPTS"] [--class-archive on|off]
#   app.sh --saved [--artifact FILE] [--restart ...]
#       re-run with the arguments of the last full run (stored in /etc/tandem/provision.args);
#       vagrant/bin/redeploy uses `--saved --artifact /tmp/tandem-redeploy.jar --restart never`.
#
#   --artifact  the jar/WAR to deploy (default: SRC/target/tandem.jar or .war, brought by the rsync folder)
#   --credentials  the cluster's credentials as the Vagrantfile uploaded them (made once on the host by
#               bin/tandem-credentials); installed to /etc/tandem/cluster (root:tandem 0640), the upload
#               removed. Needed on the first run; later runs keep the installed copy.
#   --java-extra-opts  JVM options added to the defaults (the jar's JVM or Jetty's server JVM), e.g. -XX:TieredStopAtLevel=1 on emulated VMs
#   --class-archive  on (default): a jar node starts from a class archive made here for its jar (one
#               training start of the node: seconds with KVM, minutes under emulation); off: none
#   --restart   changed (default): restart the service only if jar/config changed; always; never
#               (redeploy restarts itself, after draining the node on the balancers)
#
# Result: /opt/tandem/tandem.jar, its class archive tandem.jsa + tandem.service (jar) or jetty-home + jetty-base + tandem-jetty.service
# (war); /etc/tandem/tandem.env with the node's settings.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=system.sh
. "$here/system.sh"
TANDEM_LOG_TAG=app

SAVED_ARGS=/etc/tandem/provision.args
usage() { awk 'NR > 1 && /^#/ && !/shellcheck/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

node="" ip="" app_ips="" lb_ips="" vip="" deploy=jar src=/opt/tandem-src port=8080 cluster_port=7800
drain_seconds=3 stop_timeout=30 artifact="" restart=changed saved=no credentials="" java_extra_opts="" class_archive=on

parse_args() {
  while (($#)); do
    case $1 in
      --node) node=${2:?}; shift ;;
      --ip) ip=${2:?}; shift ;;
      --app-ips) app_ips=${2:?}; shift ;;
      --lb-ips) lb_ips=${2:?}; shift ;;
      --vip) vip=${2:?}; shift ;;
      --deploy) deploy=${2:?}; shift ;;
      --src) src=${2:?}; shift ;;
      --port) port=${2:?}; shift ;;
      --cluster-port) cluster_port=${2:?}; shift ;;
      --drain-seconds) drain_seconds=${2:?}; shift ;;
      --stop-timeout) stop_timeout=${2:?}; shift ;;
      --artifact) artifact=${2:?}; shift ;;
      --restart) restart=${2:?}; shift ;;
      --credentials) credentials=${2:?}; shift ;;
      --java-extra-opts) java_extra_opts=${2?}; shift ;;
      --class-archive) class_archive=${2:?}; shift ;;
      --saved) saved=yes ;;
      -h | --help) usage; exit 0 ;;
      *) tandem_die "unknown option '$1' (see --help)" ;;
    esac
    shift
  done
}

parse_args "$@"
[[ $EUID -eq 0 ]] || tandem_die "run as root"
if [[ $saved == yes ]]; then
  [[ -f $SAVED_ARGS ]] || tandem_die "--saved: $SAVED_ARGS missing (provision the VM once first)"
  keep_artifact=$artifact keep_restart=$restart
  mapfile -t stored <"$SAVED_ARGS"
  parse_args "${stored[@]}"
  artifact=$keep_artifact restart=$keep_restart
fi

tandem_require tandem_is_ipv4 "$ip" --ip
[[ $deploy == jar || $deploy == war ]] || tandem_die "--deploy must be jar or war"
[[ $restart == changed || $restart == always || $restart == never ]] || tandem_die "--restart changed|always|never"
[[ $class_archive == on || $class_archive == off ]] || tandem_die "--class-archive on|off"
[[ -n $artifact ]] || artifact="$src/target/tandem.$deploy"
[[ -f $artifact ]] || tandem_die "$artifact not found: build on the host first (mvn -B package), then 'vagrant rsync' / 'vagrant provision'"
case $artifact in
  *.$deploy) ;;
  *) tandem_die "--deploy $deploy needs a .$deploy artifact, got $artifact" ;;
esac

# The node must bind JGroups to the private network, so the private IP has to be on an interface here.
iface=$(tandem_iface_for_ip "$ip") ||
  tandem_die "no interface carries $ip; the Vagrant private network is not up ($(ip -o -4 addr show | awk '{printf "%s=%s ", $2, $4}'))"
tandem_log "node $node: private network $ip on $iface"

tandem_apt_install openjdk-17-jre-headless curl ca-certificates
tandem_system_user tandem /var/lib/tandem
install -d -m 0755 -o root -g root /opt/tandem /etc/tandem

# Remember the full argument list so redeploy can re-run exactly this provisioning with a new artifact.
if [[ $saved == no ]]; then
  args_tmp=$(mktemp)
  printf '%s\n' --node "$node" --ip "$ip" --app-ips "$app_ips" --lb-ips "$lb_ips" --vip "$vip" --deploy "$deploy" \
    --src "$src" --port "$port" --cluster-port "$cluster_port" --drain-seconds "$drain_seconds" \
    --stop-timeout "$stop_timeout" --java-extra-opts "$java_extra_opts" --class-archive "$class_archive" >"$args_tmp"
  tandem_install_file "$args_tmp" "$SAVED_ARGS" 0600 root:root
  rm -f "$args_tmp"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
render() { # render [CLASS_ARCHIVE]
  tandem_app_render "$stage" "" NODE="$node" IP="$ip" APP_IPS="$app_ips" LB_IPS="$lb_ips" VIP="$vip" \
    PORT="$port" CLUSTER_PORT="$cluster_port" DRAIN_SECONDS="$drain_seconds" STOP_TIMEOUT="$stop_timeout" JAVA_EXTRA_OPTS="$java_extra_opts" \
    JETTY_HOME=/opt/jetty-home JETTY_BASE=/var/lib/tandem/jetty-base CLASS_ARCHIVE="${1:-}"
}
render

changed=no
note() { [[ $TANDEM_CHANGED == no ]] || { changed=yes; tandem_log "changed: $1"; }; }

# Java on Debian: /usr/bin/java is the alternatives link the units call.
[[ -x /usr/bin/java ]] || tandem_die "/usr/bin/java missing after installing openjdk-17-jre-headless"

if [[ $deploy == jar ]]; then
  tandem_install_file "$artifact" /opt/tandem/tandem.jar 0644 root:root; note tandem.jar
  # Made with the node's JVM options, before the restart below: every start of this jar maps it.
  if [[ $class_archive == off ]]; then
    rm -f /opt/tandem/tandem.jsa
  elif tandem_app_class_archive /opt/tandem/tandem.jar /opt/tandem/tandem.jsa tandem "$stage/etc/tandem/tandem.env"; then
    render /opt/tandem/tandem.jsa
  fi
fi

tandem_install_file "$stage/etc/tandem/tandem.env" /etc/tandem/tandem.env 0640 root:tandem; note tandem.env
if [[ -n $credentials ]]; then
  tandem_install_credentials "$credentials" /etc/tandem/cluster tandem; note "cluster credentials"
  # The upload sat in the vagrant user's home only to get here.
  rm -rf "$credentials"
fi
[[ -f /etc/tandem/cluster/cluster.p12 ]] ||
  tandem_die "no cluster credentials in /etc/tandem/cluster: give --credentials DIR (the Vagrantfile uploads them)"

install_jetty_home() {
  local dest=/opt/jetty-home-$TANDEM_JETTY_VERSION synced="$src/target/jetty-home"
  if [[ ! -f $dest/start.jar ]]; then
    local tmp
    tmp=$(mktemp -d /opt/.jetty-home.XXXXXX)
    if [[ -f $synced/start.jar ]]; then
      tandem_log "jetty-home from the synced build ($synced)"
      cp -a "$synced/." "$tmp/"
    else
      local url="https://repo1.maven.org/maven2/org/eclipse/jetty/jetty-home/$TANDEM_JETTY_VERSION/jetty-home-$TANDEM_JETTY_VERSION.tar.gz"
      tandem_log "downloading $url"
      curl -fsSL --retry 3 -o "$tmp/jetty-home.tar.gz" "$url"
      echo "$TANDEM_JETTY_SHA512  $tmp/jetty-home.tar.gz" | sha512sum -c --quiet - ||
        tandem_die "jetty-home checksum mismatch"
      tar -xzf "$tmp/jetty-home.tar.gz" -C "$tmp" --strip-components=1
      rm -f "$tmp/jetty-home.tar.gz"
    fi
    [[ -f $tmp/start.jar ]] || tandem_die "jetty-home has no start.jar"
    chmod 0755 "$tmp"
    rm -rf "$dest"
    mv "$tmp" "$dest"
  fi
  ln -sfn "$dest" /opt/jetty-home
}

# Fingerprint of what configures a jetty-base (content + names), without Jetty's own work/log files.
base_sum() {
  (cd "$1" && find . -type f -not -path './work/*' -not -path './logs/*' -not -name '*.log' -print0 |
    sort -z | xargs -0r sha256sum | sha256sum | cut -d' ' -f1)
}

if [[ $deploy == jar ]]; then
  service=tandem.service other=tandem-jetty.service
  tandem_install_file "$stage/etc/systemd/system/tandem.service" /etc/systemd/system/tandem.service 0644 root:root
  note tandem.service
else
  service=tandem-jetty.service other=tandem.service
  install_jetty_home
  tandem_install_file "$artifact" /opt/tandem/tandem.war 0644 root:root; note tandem.war
  tandem_install_file "$stage/etc/systemd/system/tandem-jetty.service" /etc/systemd/system/tandem-jetty.service 0644 root:root
  note tandem-jetty.service
  maker="$src/bin/tandem-jetty-base"
  [[ -x $maker ]] || tandem_die "$maker missing: WAR nodes need the lead's bin/tandem-jetty-base"
  template="$src/target/jetty-base-template"
  [[ -f $template/modules/tandem.mod ]] || tandem_die "$template missing: build on the host first (mvn -B package)"
  base=/var/lib/tandem/jetty-base
  install -d -m 0750 -o tandem -g tandem /var/lib/tandem
  # The maker updates a base in place (settings, WAR) and downloads Jetty's module jars only the first
  # time. In place is safe for a running node: Jetty runs from its unpacked copy in work/ and does not
  # scan webapps/ (jetty.deploy.scanInterval=0), so the new WAR waits for the restart.
  before=""
  [[ ! -d $base ]] || before=$(base_sum "$base")
  JETTY_HOME=/opt/jetty-home TANDEM_WAR=/opt/tandem/tandem.war TANDEM_BASE_TEMPLATE="$template" \
    "$maker" "$base" --node "$node" --host 0.0.0.0 --port "$port" \
    --peers "$(tandem_peers "$cluster_port" "$app_ips")" --cluster-host "$ip" --cluster-port "$cluster_port" \
    --drain-seconds "$drain_seconds" --agent-port "$TANDEM_AGENT_PORT" --cluster-credentials /etc/tandem/cluster >/dev/null
  chown -R tandem:tandem "$base"
  if [[ $(base_sum "$base") != "$before" ]]; then
    changed=yes
    tandem_log "changed: jetty-base"
  fi
fi

# Switching TANDEM_DEPLOY on an existing VM: the other flavour must not keep the port/cluster identity.
if systemctl list-unit-files "$other" >/dev/null 2>&1 && systemctl is-enabled --quiet "$other" 2>/dev/null; then
  tandem_log "disabling $other (deploy mode is now $deploy)"
  systemctl disable --now "$other"
fi

case $restart in
  never) systemctl daemon-reload; systemctl enable "$service" >/dev/null 2>&1; tandem_log "not restarting $service (--restart never)"; exit 0 ;;
  always) changed=yes ;;
esac
tandem_unit_apply "$service" "$changed" restart

# Live, not ready: while the other app VMs are still being provisioned the node may report the cluster
# degraded (503 on /health/ready); that is expected here and checked again by the failover walkthrough.
# A deadline in seconds, not a count of attempts: under emulation one attempt alone can take seconds, and a
# JVM start there takes minutes (TANDEM_LIVE_WAIT_SECONDS overrides).
deadline=$((SECONDS + ${TANDEM_LIVE_WAIT_SECONDS:-900}))
while ((SECONDS < deadline)); do
  if curl -fs -o /dev/null --max-time 2 "http://$ip:$port/health/live"; then
    ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$ip:$port/health/ready" || true)
    tandem_log "$service is live on http://$ip:$port (/health/ready: $ready)"
    exit 0
  fi
  ! systemctl is-failed --quiet "$service" || break
  sleep 1
done
tandem_unit_diagnose "$service"
tandem_die "$service did not answer /health/live on $ip:$port"
