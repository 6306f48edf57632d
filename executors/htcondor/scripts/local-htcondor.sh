#!/usr/bin/env bash
# A real single-machine HTCondor for Ferry's integration tests, benchmarks and demos.
#
#   local-htcondor.sh start    build the chroot if it is not cached, mount /proc in it, start condor_master,
#                              wait until the schedd answers and a slot is advertised
#   local-htcondor.sh stop     remove every job, stop condor_master by its PID, unmount /proc
#   local-htcondor.sh status   print whether it runs, the version and what condor_status says (exit 0 when it answers)
#   local-htcondor.sh env      print the export lines the tests read (FERRY_HTCONDOR_CHROOT, FERRY_HTCONDOR_USER, ...)
#   local-htcondor.sh build    only build (or check) the cached chroot
#
# Why a chroot: Debian 12 has no HTCondor package; Debian 13 (trixie) has `condor` 23.9.6. So HTCondor is
# installed with apt into a minimal trixie tree made by debootstrap, on Debian 12 and 13 alike (one path for
# both; the host's own packages are never touched). The tree is cached in $FERRY_HTCONDOR_CHROOT
# (default /var/cache/ferry/htcondor-chroot, ~900 MB); a second run on the same machine reuses it.
# Building it needs network access to the Debian mirror ($FERRY_HTCONDOR_MIRROR) and `debootstrap`
# (apt-get install -y debootstrap; .ci/setup.d/30-htcondor.sh does that).
#
# Inside the chroot: condor_master (as root) runs collector, negotiator, schedd and startd on 127.0.0.1
# with one partitionable slot; jobs are submitted by the ordinary user $FERRY_HTCONDOR_USER (default
# ferry, uid 2742) with `chroot --userspec=ferry:ferry DIR condor_submit ...`. Ferry's pod directories
# live under /var/lib/ferry/pods inside the chroot (DIR/var/lib/ferry/pods on the host).
# Only /proc is mounted into the tree; /dev holds the device nodes debootstrap created, so deleting
# the tree never reaches the host's /dev. Must run as root. Safe to run twice.
set -euo pipefail

CHROOT=${FERRY_HTCONDOR_CHROOT:-/var/cache/ferry/htcondor-chroot}
MIRROR=${FERRY_HTCONDOR_MIRROR:-http://deb.debian.org/debian}
SUITE=${FERRY_HTCONDOR_SUITE:-trixie}
JOB_USER=${FERRY_HTCONDOR_USER:-ferry}
JOB_UID=${FERRY_HTCONDOR_UID:-2742}
PORT=${FERRY_HTCONDOR_PORT:-9618}
CPUS=${FERRY_HTCONDOR_CPUS:-8}
GPUS=${FERRY_HTCONDOR_GPUS:-2}
START_TIMEOUT=${FERRY_HTCONDOR_START_TIMEOUT:-90}
PODS=/var/lib/ferry/pods
# inside the tree /var/run and /var/lock are absolute symlinks (to /run, /run/lock): on the host side only
# paths through real directories of the tree are used, never through those links
PIDFILE=/run/condor/ferry-master.pid
READY=$CHROOT/.ferry-htcondor-ready
# bump when the way the tree is built changes, so cached trees are rebuilt
BUILD_VERSION=1

log() { printf 'local-htcondor: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

in_root() { chroot "$CHROOT" "$@"; }
as_user() { chroot --userspec="$JOB_USER:$JOB_USER" "$CHROOT" env -i PATH=/usr/bin:/bin HOME=/home/$JOB_USER "$@"; }

mounted() { # path -> 0 when it is a mount point
  awk -v p="$1" '$2 == p { found = 1 } END { exit !found }' /proc/self/mounts
}

mount_proc() {
  mkdir -p "$CHROOT/proc"
  mounted "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
}

umount_proc() {
  if mounted "$CHROOT/proc"; then
    umount "$CHROOT/proc" || umount -l "$CHROOT/proc"
  fi
}

build() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"
  if [ -f "$READY" ] && [ "$(cat "$READY")" = "$BUILD_VERSION" ] && [ -x "$CHROOT/usr/sbin/condor_master" ]; then
    log "reusing the cached chroot $CHROOT ($(in_root condor_version | sed -n 1p))"
    return 0
  fi
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install -y debootstrap"
  [ -e "/usr/share/debootstrap/scripts/$SUITE" ] || die "this debootstrap does not know '$SUITE': apt-get install -y debootstrap (1.0.128 or newer)"
  local partial=$CHROOT.partial
  if [ -d "$partial" ]; then
    # a build that was interrupted; never remove a tree with something mounted in it
    if mounted "$partial/proc"; then umount -l "$partial/proc"; fi
    rm -rf --one-file-system "$partial"
  fi
  mkdir -p "$(dirname "$CHROOT")"
  local started=$SECONDS
  log "building $CHROOT: debootstrap --variant=minbase $SUITE (about a minute)"
  debootstrap --variant=minbase "$SUITE" "$partial" "$MIRROR" >"$partial.log" 2>&1 \
    || { tail -n 20 "$partial.log" >&2; die "debootstrap failed; see $partial.log"; }
  # no service may start inside the tree while packages are installed
  printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
  chmod 0755 "$partial/usr/sbin/policy-rc.d"
  mount -t proc proc "$partial/proc"
  log "installing condor in the chroot (about half a minute)"
  if ! chroot "$partial" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends condor >>"$partial.log" 2>&1; then
    umount "$partial/proc" || umount -l "$partial/proc"
    tail -n 20 "$partial.log" >&2
    die "apt-get install condor failed in the chroot; see $partial.log"
  fi
  chroot "$partial" apt-get clean
  umount "$partial/proc" || umount -l "$partial/proc"
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    local name=${node%%:*} rest=${node#*:}
    [ -c "$partial/dev/$name" ] || mknod -m 0666 "$partial/dev/$name" c "${rest%%:*}" "${rest#*:}"
  done
  rm -rf --one-file-system "$CHROOT"
  mv "$partial" "$CHROOT"
  mv "$partial.log" "$CHROOT.build.log"
  echo "$BUILD_VERSION" >"$READY"
  log "chroot ready in $(( SECONDS - started )) s: $(in_root condor_version | sed -n 1p)"
}

write_config() {
  # the job user: same name and uid inside the tree (and on the host, when there is one, nothing is changed)
  if ! in_root getent passwd "$JOB_USER" >/dev/null; then
    in_root groupadd -g "$JOB_UID" "$JOB_USER"
    in_root useradd -m -u "$JOB_UID" -g "$JOB_UID" -s /bin/sh "$JOB_USER"
  fi
  mkdir -p "$CHROOT$PODS" "$CHROOT/tmp" "$CHROOT/run/condor" "$CHROOT/run/lock/condor"
  in_root chown condor:condor /run/condor /run/lock/condor
  chmod 1777 "$CHROOT/tmp"
  # root owns the pods directory (traverse only), so no job can swap its entries for links that the
  # executor, writing from outside the tree, would follow; each pod directory is made by the executor
  chown root:root "$CHROOT/var/lib/ferry" "$CHROOT$PODS"
  chmod 0755 "$CHROOT/var/lib/ferry"
  chmod 0711 "$CHROOT$PODS"
  cat >"$CHROOT/etc/condor/config.d/99-ferry.conf.tmp" <<EOF
# written by $(basename "$0"): one machine runs every role, on 127.0.0.1 only
use ROLE : Personal
CONDOR_HOST = 127.0.0.1
NETWORK_INTERFACE = 127.0.0.1
BIND_ALL_INTERFACES = False
ENABLE_IPV6 = False
COLLECTOR_HOST = 127.0.0.1:$PORT
SHARED_PORT_PORT = $PORT
UID_DOMAIN = ferry.local
FILESYSTEM_DOMAIN = ferry.local
TRUST_UID_DOMAIN = True
SOFT_UID_DOMAIN = True
# every daemon listens on 127.0.0.1 only; clients authenticate by FS (file ownership in /tmp of the tree)
ALLOW_READ = */127.0.0.1
ALLOW_WRITE = */127.0.0.1
ALLOW_ADMINISTRATOR = root@*/127.0.0.1, condor@*/127.0.0.1
# the chroot's root is no mount point: without this, every job is held (code 6, subcode 22)
MOUNT_UNDER_SCRATCH =
# no cgroups and no mount namespaces inside the tree
BASE_CGROUP =
CGROUP_MEMORY_LIMIT_POLICY = none
USE_PID_NAMESPACES = False
# one partitionable slot with $CPUS CPUs (more than the machine has, as Slurm's node) and $GPUS declared GPUs
NUM_CPUS = $CPUS
use FEATURE : PartitionableSlot
MACHINE_RESOURCE_GPUs = $( seq -s, 0 $(( GPUS - 1 )) 2>/dev/null | sed 's/\([0-9]*\)/CUDA\1/g' )
START = True
SUSPEND = False
PREEMPT = False
KILL = False
WANT_SUSPEND = False
WANT_VACATE = False
# fast turnaround for tests: match, start and report within seconds
NEGOTIATOR_INTERVAL = 2
NEGOTIATOR_MIN_INTERVAL = 1
NEGOTIATOR_CYCLE_DELAY = 1
SCHEDD_INTERVAL = 5
SCHEDD_MIN_INTERVAL = 0
UPDATE_INTERVAL = 5
STARTER_UPDATE_INTERVAL = 2
STARTD_JOB_ATTRS =
SHADOW_QUEUE_UPDATE_INTERVAL = 2
PERIODIC_EXPR_INTERVAL = 5
JOB_START_DELAY = 0
JOB_START_COUNT = 10
CLAIM_WORKLIFE = 0
MAX_HISTORY_LOG = 200000000
EOF
  local conf=$CHROOT/etc/condor/config.d/99-ferry.conf
  if cmp -s "$conf.tmp" "$conf"; then
    rm -f "$conf.tmp"
    return 1
  fi
  mv "$conf.tmp" "$conf"
  return 0
}

schedd_answers() {
  as_user timeout 10 condor_q -totals >/dev/null 2>&1
}

slots() {
  as_user timeout 10 condor_status -af Name 2>/dev/null | wc -l
}

master_alive() {
  [ -s "$CHROOT$PIDFILE" ] && kill -0 "$(cat "$CHROOT$PIDFILE")" 2>/dev/null
}

start() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (condor_master runs jobs as their users)"
  build
  mount_proc
  # pod directories of earlier test and benchmark runs (it-*, bench-*) are not needed once their run is over
  find "$CHROOT$PODS" -mindepth 1 -maxdepth 1 \( -name 'it-*' -o -name 'bench-*' \) -mmin +120 -exec rm -rf --one-file-system {} + 2>/dev/null || true
  if write_config && master_alive; then
    log "the configuration changed: restarting HTCondor"
    stop
    mount_proc
  fi
  if ! master_alive; then
    rm -f "$CHROOT$PIDFILE"
    in_root condor_master -pidfile "$PIDFILE" || die "condor_master did not start; see $CHROOT/var/log/condor/MasterLog"
  fi
  local deadline=$(( SECONDS + START_TIMEOUT ))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if schedd_answers && [ "$(slots)" -gt 0 ]; then
      log "$(in_root condor_version | sed -n 1p | cut -d' ' -f1-3) is up in $CHROOT: schedd answers, $(slots) slot(s)"
      return 0
    fi
    master_alive || die "condor_master exited; see $CHROOT/var/log/condor/MasterLog"
    sleep 0.5
  done
  tail -n 20 "$CHROOT/var/log/condor/MasterLog" "$CHROOT/var/log/condor/SchedLog" >&2 || true
  die "HTCondor did not answer within ${START_TIMEOUT}s"
}

stop() {
  if master_alive; then
    as_user condor_rm -all >/dev/null 2>&1 || true
    local pid
    pid=$(cat "$CHROOT$PIDFILE")
    # SIGQUIT: the master shuts every daemon down fast (SIGTERM would wait for jobs to vacate)
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "condor_master ($pid) did not stop within 30 s; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    else
      log "condor_master stopped"
    fi
    rm -f "$CHROOT$PIDFILE"
  fi
  umount_proc
}

status() {
  if ! [ -x "$CHROOT/usr/sbin/condor_master" ]; then
    echo "no chroot at $CHROOT (run: $0 start)"
    return 1
  fi
  echo "chroot: $CHROOT ($(in_root condor_version | sed -n 1p))"
  if master_alive; then echo "condor_master: running (pid $(cat "$CHROOT$PIDFILE"))"; else echo "condor_master: stopped"; return 1; fi
  if schedd_answers; then echo "schedd: answers"; else echo "schedd: no answer"; return 1; fi
  as_user condor_status -af Name Cpus Memory GPUs State 2>/dev/null | sed 's/^/slot: /'
}

env_lines() {
  echo "export FERRY_HTCONDOR_CHROOT=$CHROOT"
  echo "export FERRY_HTCONDOR_USER=$JOB_USER"
  echo "export FERRY_HTCONDOR_PODS=$PODS"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|restart|status|env|build   (chroot: $CHROOT)" >&2; exit 2 ;;
esac
