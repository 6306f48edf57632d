# shellcheck shell=bash
# Sourced by .ci/run: a real single-node Slurm on localhost (munged + slurmctld + slurmd) for the
# Slurm backend's integration tests (executors/slurm, *IT). Debian 12 ships Slurm 22.05, Debian 13
# ships 24.11; executors/slurm/scripts/local-slurm.sh handles both. Safe to source twice.
# Exports SLURM_CONF (the tests and Slurm's clients read it) and FERRY_SLURM_DIR.

ferry_slurm_setup() {
  local script="$ROOT/executors/slurm/scripts/local-slurm.sh"
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd >/dev/null || missing+=(slurmd)
  command -v sbatch >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge
  fi
  export FERRY_SLURM_DIR=${FERRY_SLURM_DIR:-/tmp/ferry-slurm}
  bash "$script" start
  export SLURM_CONF=$FERRY_SLURM_DIR/etc/slurm.conf
  bash "$script" status

  # stop the daemons when .ci/run ends, after whatever EXIT trap was set before
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

ferry_slurm_setup
unset -f ferry_slurm_setup
