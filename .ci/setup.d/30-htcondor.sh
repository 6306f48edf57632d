# shellcheck shell=bash
# Sourced by .ci/run: a real single-machine HTCondor (Debian 13's condor 23.9.6) for the HTCondor backend's
# integration tests (executors/htcondor, *IT). Debian 12 has no HTCondor package, so on Debian 12 and 13 alike
# it lives in a trixie chroot that executors/htcondor/scripts/local-htcondor.sh builds with debootstrap (about
# 1.5 min, ~900 MB, needs deb.debian.org) and caches in $FERRY_HTCONDOR_CHROOT (default
# /var/cache/ferry/htcondor-chroot): a second run on the same machine reuses it. Safe to source twice.
# Exports FERRY_HTCONDOR_CHROOT, FERRY_HTCONDOR_USER and FERRY_HTCONDOR_PODS (the tests read them).

ferry_htcondor_setup() {
  local script="$ROOT/executors/htcondor/scripts/local-htcondor.sh"
  export FERRY_HTCONDOR_CHROOT=${FERRY_HTCONDOR_CHROOT:-/var/cache/ferry/htcondor-chroot}
  if [ ! -f "$FERRY_HTCONDOR_CHROOT/.ferry-htcondor-ready" ] && ! command -v debootstrap >/dev/null; then
    echo "installing debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends debootstrap
  fi
  bash "$script" start
  eval "$(bash "$script" env)"
  bash "$script" status

  # stop HTCondor when .ci/run ends, after whatever EXIT trap was set before (the chroot stays cached)
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

ferry_htcondor_setup
unset -f ferry_htcondor_setup
