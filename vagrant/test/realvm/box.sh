#!/usr/bin/env bash
# box.sh: build (or reuse) the Debian 12 box the real-VM acceptance run boots, offline except for Debian's own
# package mirror, and add it to Vagrant as $TANDEM_BOX_NAME. No bootloader: the box ships the kernel and initrd
# and its Vagrantfile tells vagrant-libvirt to boot them directly (root=/dev/vda), so no loop device is needed.
#
# Every package the provisioning installs (vagrant/provision/*.sh: tandem_apt_install) is baked in, so the VMs
# never reach a mirror: inside the test's namespace there is none, and "install if missing" then does nothing.
# The box is named by a hash of this script, so any change to the recipe builds a new one; a box already added
# under that name is reused.
#
# Usage: box.sh [--print-name]     build/reuse and add the box; prints its name on stdout
# Env:   TANDEM_BOX_CACHE  where built boxes are kept (default /var/cache/tandem-box)
#        DEBIAN_MIRROR     (default http://deb.debian.org/debian)
# Needs root, mmdebstrap, mke2fs, qemu-img, vagrant (with vagrant-libvirt).
# The hooks are run by mmdebstrap, which passes the root directory as $1: single quotes on purpose.
# shellcheck disable=SC2016
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TANDEM_BOX_CACHE:-/var/cache/tandem-box}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf '[box %s] %s\n' "$(date +%T)" "$*" >&2; }

# What every VM needs to boot and be driven by Vagrant, then what provision/{common,app,lb}.sh install.
packages=(
  systemd systemd-sysv udev dbus kmod linux-image-cloud-amd64 initramfs-tools
  openssh-server sudo ifupdown isc-dhcp-client iproute2 netbase procps less
  ca-certificates curl rsync
  openjdk-17-jre-headless
  haproxy keepalived socat
)
# Comments do not count: only a change to what is run makes a new box.
hash=$(grep -v '^[[:space:]]*#' "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
name=tandem-bookworm-$hash
[[ ${1:-} == --print-name ]] && { echo "$name"; exit 0; }

if vagrant box list 2>/dev/null | grep -q "^$name "; then
  log "reusing box $name"
  echo "$name"
  exit 0
fi

mkdir -p "$cache"
box_file=$cache/$name.box
if [[ ! -s $box_file ]]; then
  work=$(mktemp -d "$cache/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root=$work/root
  started=$SECONDS
  log "mmdebstrap bookworm (${#packages[@]} packages) into $root"
  pubkey=$(find /usr/share/rubygems-integration /usr/share/vagrant /opt/vagrant -path '*keys/vagrant.pub' 2>/dev/null | head -1 || true)
  [[ -n $pubkey ]] || { log "Vagrant's insecure public key (keys/vagrant.pub) not found"; exit 1; }
  mmdebstrap --quiet --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" \
    --customize-hook='echo tandem-box > "$1/etc/hostname"' \
    --customize-hook='printf "127.0.0.1\tlocalhost\n" > "$1/etc/hosts"' \
    --customize-hook='printf "/dev/vda / ext4 defaults,noatime 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='printf "auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n" > "$1/etc/network/interfaces"' \
    --customize-hook='chroot "$1" useradd --create-home --shell /bin/bash vagrant' \
    --customize-hook='echo "vagrant ALL=(ALL) NOPASSWD:ALL" > "$1/etc/sudoers.d/vagrant"; chmod 0440 "$1/etc/sudoers.d/vagrant"' \
    --customize-hook="install -d -m 0700 -o 1000 -g 1000 \"\$1/home/vagrant/.ssh\" && install -m 0600 -o 1000 -g 1000 '$pubkey' \"\$1/home/vagrant/.ssh/authorized_keys\"" \
    `# Every VM gets its own host keys at first boot, not the ones made while building (before sshd -t checks them).` \
    --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*; mkdir -p "$1/etc/systemd/system/ssh.service.d"; printf "[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n" > "$1/etc/systemd/system/ssh.service.d/host-keys.conf"' \
    `# Each VM makes its own machine id at first boot.` \
    --customize-hook=': > "$1/etc/machine-id"; rm -f "$1/var/lib/dbus/machine-id"' \
    `# Provisioning decides where HAProxy and keepalived run; timers would only burn emulated CPU.` \
    --customize-hook='chroot "$1" systemctl disable haproxy.service keepalived.service' \
    --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer' \
    --customize-hook="cp \"\$1\"/boot/vmlinuz-* '$work/vmlinuz'; cp \"\$1\"/boot/initrd.img-* '$work/initrd.img'" \
    --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
    bookworm "$root" "$mirror" >&2
  log "image"
  # To stderr: the box's name is all this prints on stdout, and mke2fs says "Creating regular file"
  # there even with -q when the image is new (every first build: it broke real-vms.sh's box name).
  mke2fs -q -t ext4 -L root -d "$root" "$work/box.raw" 4G >&2
  qemu-img convert -O qcow2 "$work/box.raw" "$work/box.img" >&2
  printf '{"provider":"libvirt","format":"qcow2","virtual_size":4}\n' >"$work/metadata.json"
  cp "$here/box.Vagrantfile" "$work/Vagrantfile"
  tar -C "$work" -cf "$box_file.tmp" metadata.json box.img vmlinuz initrd.img Vagrantfile
  mv "$box_file.tmp" "$box_file"
  log "built $box_file ($(du -h "$box_file" | cut -f1)) in $((SECONDS - started)) s"
fi
vagrant box add --force --name "$name" "$box_file" >&2
echo "$name"
