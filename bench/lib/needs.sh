# shellcheck shell=bash
# Sourced by the bench scripts: what a script needs installed, said once for all of them.

# Debian's python3, the one that has Debian's python3-tornado: what the Tornado anchors run on.
tornado_python=/usr/bin/python3
has_tornado() { "$tornado_python" -c 'import tornado' 2>/dev/null; }

# needs SCRIPT TOOL...: returns when every TOOL is on the PATH ("tornado": Debian's python3 with its
# python3-tornado); otherwise names all that are missing, with the command that installs them, and
# exits 1.
needs() {
  local script=$1 tool missing=()
  shift
  for tool in "$@"; do
    if [[ $tool == tornado ]]; then
      has_tornado || missing+=(python3-tornado)
    else
      command -v "$tool" >/dev/null || missing+=("$tool")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  echo "$script: missing: ${missing[*]} (bin/install-deps bench installs them)" >&2
  exit 1
}
