# shellcheck shell=bash
# Sourced by .ci/run: a real "VM" on 127.0.0.1 for the VM backend's integration tests (executors/vm, *IT):
# Debian's OpenSSH server with its own configuration (key-only, UsePAM no, port 22022, its own host key),
# an unprivileged login user, and rootless podman running a local busybox image (no registry).
# executors/vm/scripts/local-vm.sh does the work. Safe to source twice.
# Exports FERRY_VM_DIR (the tests read $FERRY_VM_DIR/env).

ferry_vm_setup() {
  local script="$ROOT/executors/vm/scripts/local-vm.sh"
  local wanted=(openssh-server openssh-client podman runc uidmap slirp4netns fuse-overlayfs busybox-static)
  local missing=() pkg
  for pkg in "${wanted[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # no daemons from the packages' own scripts: local-vm.sh starts its own sshd
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  export FERRY_VM_DIR=${FERRY_VM_DIR:-/tmp/ferry-vm}
  bash "$script" start
  bash "$script" status

  # stop sshd when .ci/run ends, after whatever EXIT trap was set before
  local previous="" quoted
  quoted=$(trap -p EXIT)
  if [ -n "$quoted" ]; then
    quoted=${quoted#trap -- }
    quoted=${quoted% EXIT}
    eval "previous=$quoted"
  fi
  # shellcheck disable=SC2064 # expand now: the paths and the previous trap are fixed here
  trap "bash '$script' stop >/dev/null 2>&1 || true; $previous" EXIT
}

ferry_vm_setup
unset -f ferry_vm_setup
