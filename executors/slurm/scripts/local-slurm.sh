#!/usr/bin/env bash
# A real single-node Slurm on localhost for Ferry's integration tests, benchmarks and demos:
# munged + slurmctld + slurmd from Debian's packages (Debian 12: Slurm 22.05, Debian 13: 24.11).
#
#   local-slurm.sh start    install nothing, write the configuration, start the daemons, wait until the node is idle
#   local-slurm.sh stop     cancel every job, wait for them to drain, stop the daemons by their PIDs
#   local-slurm.sh status   print whether it runs and what sinfo says (exit 0 when the node answers)
#   local-slurm.sh env      print the export lines the clients need (SLURM_CONF=...)
#
# Everything lives under one base directory, $FERRY_SLURM_DIR (default /tmp/ferry-slurm): configuration,
# munge key and socket, state, spool, pid and log files, the jobcomp file. Nothing under /etc is changed,
# so clients need SLURM_CONF=$FERRY_SLURM_DIR/etc/slurm.conf (see `env`). Must run as root (slurmd does).
# Safe to run twice: `start` on a running Slurm only waits for it; `stop` on a stopped one does nothing.
#
# Packages (installed by .ci/setup.d/20-slurm.sh, not by this script):
#   apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge
set -euo pipefail

BASE=${FERRY_SLURM_DIR:-/tmp/ferry-slurm}
CTLD_PORT=${FERRY_SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${FERRY_SLURM_SLURMD_PORT:-6818}
NODE_CPUS=${FERRY_SLURM_CPUS:-8}
PARTITION=${FERRY_SLURM_PARTITION:-debug}
START_TIMEOUT=${FERRY_SLURM_START_TIMEOUT:-60}
CONF=$BASE/etc/slurm.conf
MUNGE_DIR=$BASE/munge
MUNGE_SOCKET=$MUNGE_DIR/munge.socket.2

log() { printf 'local-slurm: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

alive() { # pid file -> 0 when the process in it runs
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

slurm_major() {
  slurmd -V | awk '{print $2}' | cut -d. -f1
}

write_config() {
  mkdir -p "$BASE"/{etc,state,spool,log,run,jobs}
  chmod 0755 "$BASE" "$BASE"/{etc,state,spool,log,run}
  chmod 1777 "$BASE/jobs"
  local mem_kb real_mem
  mem_kb=$(awk '/MemTotal/{print $2}' /proc/meminfo)
  real_mem=$(( mem_kb / 1024 / 2 ))
  cat >"$CONF.tmp" <<EOF
# written by $(basename "$0"); base directory $BASE
ClusterName=ferry
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
SchedulerParameters=batch_sched_delay=0
EnforcePartLimits=ALL
SlurmdParameters=config_overrides
JobCompType=jobcomp/filetxt
JobCompLoc=$BASE/log/jobcomp.txt
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool/slurmd-%n
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd-%n.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
Waittime=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$NODE_CPUS RealMemory=$real_mem State=UNKNOWN
PartitionName=$PARTITION Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"
  # Slurm 23.x+ loads cgroup.conf and fails without cgroup v2 delegation unless the plugin is disabled;
  # 22.05 does not know CgroupPlugin=disabled and must not find the file at all.
  if [ "$(slurm_major)" -ge 23 ]; then
    printf 'CgroupPlugin=disabled\n' >"$BASE/etc/cgroup.conf"
  else
    rm -f "$BASE/etc/cgroup.conf"
  fi
}

start_munge() {
  if alive "$MUNGE_DIR/munged.pid"; then
    return
  fi
  mkdir -p "$MUNGE_DIR"
  if [ ! -s "$MUNGE_DIR/munge.key" ]; then
    dd if=/dev/urandom of="$MUNGE_DIR/munge.key" bs=1024 count=1 status=none
  fi
  chown -R munge:munge "$MUNGE_DIR"
  chmod 0755 "$MUNGE_DIR"
  chmod 0400 "$MUNGE_DIR/munge.key"
  rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
  # munged refuses to run as root; it checks that only its owner can write its directories
  runuser -u munge -- munged --socket="$MUNGE_SOCKET" --key-file="$MUNGE_DIR/munge.key" \
    --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" \
    || die "munged did not start; see $MUNGE_DIR/munged.log"
}

node_state() {
  SLURM_CONF=$CONF timeout 10 sinfo -h -n localhost -o %t 2>/dev/null | sed -n 1p || true
}

start() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (slurmd starts jobs as their users)"
  for cmd in munged slurmctld slurmd sinfo sbatch; do
    command -v "$cmd" >/dev/null || die "$cmd is missing: apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge"
  done
  write_config
  start_munge
  export SLURM_CONF=$CONF
  if ! alive "$BASE/run/slurmctld.pid"; then
    slurmctld -f "$CONF" || die "slurmctld did not start; see $BASE/log/slurmctld.log"
  fi
  if ! alive "$BASE/run/slurmd-localhost.pid"; then
    slurmd -f "$CONF" -N localhost || die "slurmd did not start; see $BASE/log/slurmd-localhost.log"
  fi
  local deadline=$(( $(date +%s) + START_TIMEOUT )) state=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    state=$(node_state)
    case "$state" in
      idle|mix|alloc) log "Slurm $(slurmd -V | awk '{print $2}') is up: node localhost $state, SLURM_CONF=$CONF"; return 0 ;;
      down*|drain*|drng*)
        # ReturnToService=2 brings a node back once it registers; a node left DOWN by an old run is resumed
        SLURM_CONF=$CONF scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  tail -n 20 "$BASE/log/slurmctld.log" "$BASE/log/slurmd-localhost.log" >&2 || true
  die "node localhost not idle after ${START_TIMEOUT}s (last state: '${state:-no answer}')"
}

stop_pid() { # name pidfile
  local pidfile=$2 pid
  alive "$pidfile" || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { log "$1 stopped"; return 0; }
    sleep 0.1
  done
  log "$1 ($pid) did not stop on SIGTERM within 10 s; sending SIGKILL"
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  export SLURM_CONF=$CONF
  if alive "$BASE/run/slurmctld.pid"; then
    # drain: no new work, cancel what is there, wait until the controller holds no live job
    scontrol update nodename=localhost state=drain reason=local-slurm-stop >/dev/null 2>&1 || true
    local ids
    ids=$(squeue -h -t PD,R,CG,S,CF -o %i 2>/dev/null | tr '\n' ' ' || true)
    if [ -n "${ids// /}" ]; then
      # shellcheck disable=SC2086 # job ids, one word each
      scancel $ids 2>/dev/null || true
    fi
    for _ in $(seq 1 150); do
      [ -z "$(squeue -h -t PD,R,CG,S,CF -o %i 2>/dev/null || true)" ] && break
      sleep 0.2
    done
  fi
  stop_pid slurmd "$BASE/run/slurmd-localhost.pid"
  stop_pid slurmctld "$BASE/run/slurmctld.pid"
  stop_pid munged "$MUNGE_DIR/munged.pid"
}

status() {
  local rc=0
  for d in "munged:$MUNGE_DIR/munged.pid" "slurmctld:$BASE/run/slurmctld.pid" "slurmd:$BASE/run/slurmd-localhost.pid"; do
    if alive "${d#*:}"; then echo "${d%%:*}: running (pid $(cat "${d#*:}"))"; else echo "${d%%:*}: stopped"; rc=1; fi
  done
  local state
  state=$(node_state)
  echo "node localhost: ${state:-no answer}"
  echo "SLURM_CONF=$CONF"
  [ -n "$state" ] || rc=1
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|restart|status|env   (base directory: $BASE)" >&2; exit 2 ;;
esac
