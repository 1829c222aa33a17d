#!/usr/bin/env bash
# App VM render functions (the Tandem node's systemd unit, environment and credentials): sourced by
# lib.sh, which holds the shared helpers they use. No side effects on sourcing.
# shellcheck shell=bash

tandem_app_render() {
  local out_root=$1 ref_root=$2 kv
  shift 2
  # HTTP on all addresses: HAProxy reaches the node on the private IP, operators use loopback for
  # /admin/drain (accepted from loopback only); JGroups is bound to the private IP separately.
  local NODE="" IP="" APP_IPS="" LB_IPS="" VIP="" HTTP_HOST=0.0.0.0 PORT=8080 CLUSTER_PORT=7800 DRAIN_SECONDS=3 STOP_TIMEOUT=30
  # The VMs' heap ceiling and the memory options every deployment's nodes share (bin/node-jvm.options;
  # no -Xms: it kept 128 MiB committed on an idle node, bench/idle-memory).
  local JAVA_OPTS jvm_file=$TANDEM_REPO_DIR/bin/node-jvm.options
  [[ -f $jvm_file ]] || tandem_die "$jvm_file missing"
  JAVA_OPTS="-Xmx384m $(sed 's/#.*//' "$jvm_file" | xargs) -Djava.net.preferIPv4Stack=true"
  # CLASS_ARCHIVE: a class archive that fits the jar (tandem_app_class_archive), or empty for none.
  local JAVA_EXTRA_OPTS="" CLASS_ARCHIVE="" JETTY_HOME=/opt/jetty-home JETTY_BASE=/var/lib/tandem/jetty-base
  for kv in "$@"; do
    case ${kv%%=*} in
      NODE | IP | HTTP_HOST | APP_IPS | LB_IPS | VIP | PORT | CLUSTER_PORT | DRAIN_SECONDS | STOP_TIMEOUT | JAVA_OPTS | JAVA_EXTRA_OPTS | CLASS_ARCHIVE | JETTY_HOME | JETTY_BASE)
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
  [[ -z $CLASS_ARCHIVE ]] || tandem_require tandem_is_path "$CLASS_ARCHIVE" CLASS_ARCHIVE
  JAVA_OPTS="$JAVA_OPTS${JAVA_EXTRA_OPTS:+ $JAVA_EXTRA_OPTS}${CLASS_ARCHIVE:+ -XX:SharedArchiveFile=$CLASS_ARCHIVE}"
  [[ $JAVA_OPTS =~ ^[A-Za-z0-9_.:=+/,\ -]*$ ]] || tandem_die "invalid JAVA_OPTS '$JAVA_OPTS'"
  # systemd must not SIGKILL a node that is still draining/leaving the cluster: drain + Jetty's graceful
  # stop + time to leave Infinispan after state transfer (design notes: rebalance must finish first).
  local timeout_stop=$((DRAIN_SECONDS + STOP_TIMEOUT + 30))
  local -a common=(
    "NODE=$NODE" "HOST=$HTTP_HOST" "PORT=$PORT" "CLUSTER_HOST=$IP" "CLUSTER_PORT=$CLUSTER_PORT"
    "PEERS=$(tandem_peers "$CLUSTER_PORT" "$APP_IPS")" "CREDENTIALS=$ref_root/etc/tandem/cluster"
    "TRUSTED_PROXIES=$(tandem_cidrs "$LB_IPS,$VIP")"
    "DRAIN_SECONDS=$DRAIN_SECONDS" "STOP_TIMEOUT=$STOP_TIMEOUT" "JAVA_OPTS=$JAVA_OPTS"
    "AGENT_PORT=$TANDEM_AGENT_PORT" "MAX_QUEUED=$(tandem_limit TANDEM_MAX_QUEUED)" "QUEUE_MS=$(tandem_limit TANDEM_QUEUE_MS)"
    "TIMEOUT_STOP=$timeout_stop" "ENV_FILE=$ref_root/etc/tandem/tandem.env"
    "JETTY_HOME=$JETTY_HOME" "JETTY_BASE=$JETTY_BASE"
  )
  tandem_subst "$TANDEM_FILES_DIR/tandem.env.tmpl" "$out_root/etc/tandem/tandem.env" "${common[@]}"
  tandem_subst "$TANDEM_FILES_DIR/tandem.service" "$out_root/etc/systemd/system/tandem.service" "${common[@]}"
  tandem_subst "$TANDEM_FILES_DIR/tandem-jetty.service" "$out_root/etc/systemd/system/tandem-jetty.service" "${common[@]}"
}

# tandem_app_class_archive JAR ARCHIVE USER ENV_FILE : makes sure ARCHIVE is a class archive the node's
# JVM maps for JAR (bin/tandem-class-archive: start to ready about 0.6x), made with the JVM options of
# the rendered ENV_FILE by a training start run as USER, then installed root-owned (the node loads code
# from it: the node's own user must not be able to change it). Kept when it still fits. Returns 1, with
# the training's log, and no ARCHIVE left, when none could be made: the caller renders without one (a
# missing archive named to the JVM would turn off the JDK's own archive too). A new archive needs no
# restart: a running node keeps the one it mapped, the next start maps the new one.
tandem_app_class_archive() {
  local jar=$1 archive=$2 user=$3 env_file=$4 opt work maker=$TANDEM_REPO_DIR/bin/tandem-class-archive
  local -a jvm=()
  [[ -x $maker ]] || tandem_die "$maker missing"
  # The node's JVM options without an archive of its own (a training start must not build on one).
  for opt in $(tandem_env_lines "$env_file" | sed -n 's/^JAVA_OPTS=//p'); do
    [[ $opt == -XX:SharedArchiveFile=* ]] || jvm+=("$opt")
  done
  work=$(mktemp -d)
  chown "$user" "$work"
  if tandem_app_as_user "$user" "$work" "$maker" --check "$jar" "$archive" "${jvm[@]}" >/dev/null 2>&1; then
    rm -rf "$work"
    return 0
  fi
  tandem_log "making the class archive $archive for $jar (one training start of the node)"
  # nice: on a VM being redeployed the old node still serves while this runs.
  # The training start may take as long as a node's start to become ready (slow VMs, full emulation).
  if tandem_app_as_user "$user" "$work" env TANDEM_CLASS_ARCHIVE_WAIT="${TANDEM_LIVE_WAIT_SECONDS:-900}" \
    nice -n 10 "$maker" "$jar" "$work/tandem.jsa" "${jvm[@]}" -Djava.io.tmpdir="$work" >"$work/log" 2>&1; then
    tandem_install_file "$work/tandem.jsa" "$archive" 0644 root:root
    rm -rf "$work"
    return 0
  fi
  tandem_log "no class archive, the node starts without one: $(tail -n 5 "$work/log" | tr '\n' ' ')"
  rm -rf "$work" "$archive"
  return 1
}

# tandem_app_as_user USER DIR COMMAND... : COMMAND as USER in DIR, which holds its temp files too (a
# training start's).
tandem_app_as_user() {
  local user=$1 dir=$2; shift 2
  (cd "$dir" && runuser -u "$user" -- env TMPDIR="$dir" "$@")
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
