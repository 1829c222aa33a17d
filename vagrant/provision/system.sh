#!/usr/bin/env bash
# Host-changing helpers for the VM provisioners (apt, users, systemd). Sourced by common.sh, app.sh and
# lb.sh; never by the namespace lab or the static checks, which only use the render functions in lib.sh.
# shellcheck shell=bash

TANDEM_APT_UPDATED=${TANDEM_APT_UPDATED:-no}

# Installs only the packages that are missing, so a re-provision does not touch apt at all.
tandem_apt_install() {
  local pkg
  local -a missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} > 0)) || return 0
  export DEBIAN_FRONTEND=noninteractive
  if [[ $TANDEM_APT_UPDATED != yes ]]; then
    tandem_log "apt-get update"
    apt-get update -q
    TANDEM_APT_UPDATED=yes
  fi
  tandem_log "installing ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# System account without login or home contents: the daemon needs an identity, not a shell.
tandem_system_user() {
  local user=$1 home=$2
  if ! id -u "$user" >/dev/null 2>&1; then
    tandem_log "creating system user $user"
    useradd --system --user-group --home-dir "$home" --no-create-home --shell /usr/sbin/nologin "$user"
  fi
}

# tandem_unit_apply UNIT yes|no [restart|reload] : enable the unit and make the running daemon match its
# inputs: (re)start when something changed or it is not running, otherwise leave it alone.
tandem_unit_apply() {
  local unit=$1 changed=$2 how=${3:-restart}
  systemctl daemon-reload
  systemctl enable "$unit" >/dev/null 2>&1 || systemctl enable "$unit"
  if ! systemctl is-active --quiet "$unit"; then
    tandem_log "starting $unit"
    systemctl restart "$unit"
  elif [[ $changed == yes ]]; then
    tandem_log "$how $unit (inputs changed or restart requested)"
    systemctl "$how" "$unit"
  else
    tandem_log "$unit unchanged and running"
  fi
}

# A unit that fails to come up: show why right in the provisioning output.
tandem_unit_diagnose() {
  systemctl --no-pager status "$1" >&2 || true
  journalctl --no-pager -n 40 -u "$1" >&2 || true
}
