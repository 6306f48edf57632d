#!/usr/bin/env bash
# Captures real outputs of the HTCondor tools that the backend parses, for its contract tests
# (src/test/resources/htcondor-<version>/). Runs against the chroot HTCondor of local-htcondor.sh,
# which must be started; submits a handful of tiny jobs as the job user and waits for them.
#
#   scripts/capture-outputs.sh [OUTDIR]     default: src/test/resources/htcondor-<version>
#
# Each capture is NAME.stdout, NAME.stderr and NAME.exit. The attributes asked for are the backend's
# (HtcondorBackend.ATTRIBUTES); the jobs carry Ferry's identity attributes like the backend's own.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CHROOT=${FERRY_HTCONDOR_CHROOT:-/var/cache/ferry/htcondor-chroot}
JOB_USER=${FERRY_HTCONDOR_USER:-ferry}
VERSION=$(chroot "$CHROOT" condor_version | sed -n 1p | awk '{print $2}')
OUT=${1:-$HERE/../src/test/resources/htcondor-$VERSION}
SITE=capture
DIR=/var/lib/ferry/pods/capture
ATTRS=ClusterId,ProcId,JobStatus,FerrySite,PodUID,PodNamespace,PodName,FerryAttempt,FerryPool,FerryDeadline,HoldReason,HoldReasonCode,HoldReasonSubCode,ExitCode,ExitBySignal,ExitSignal,RemoveReason,EnteredCurrentStatus,JobCurrentStartExecutingDate,CompletionDate,RequestMemory
CONSTRAINT="FerrySite == \"$SITE\""

as_user() { chroot --userspec="$JOB_USER:$JOB_USER" "$CHROOT" env -i PATH=/usr/bin:/bin HOME=/home/$JOB_USER "$@"; }
capture() { # name argv...
  local name=$1 rc=0
  shift
  as_user "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" || rc=$?
  echo "$rc" >"$OUT/$name.exit"
  printf '%s: exit %s, %s bytes\n' "$name" "$rc" "$(wc -c <"$OUT/$name.stdout")" >&2
}
submit() { # name uid executable arguments [extra lines]
  local name=$1 uid=$2 exe=$3 args=$4 extra=${5:-}
  cat >"$CHROOT$DIR/$name.sub" <<EOF
universe = vanilla
executable = $exe
arguments = "$args"
transfer_executable = false
should_transfer_files = NO
output = $DIR/$name.out
error = $DIR/$name.err
batch_name = default/$name
+FerrySite = "$SITE"
+PodUID = "$uid"
+PodNamespace = "default"
+PodName = "$name"
+FerryAttempt = 0
+FerryPool = "default"
$extra
queue
EOF
  as_user condor_submit -terse "$DIR/$name.sub" | awk '{print $1}'
}

mkdir -p "$OUT" "$CHROOT$DIR"
chown "$(chroot "$CHROOT" id -u "$JOB_USER"):$(chroot "$CHROOT" id -g "$JOB_USER")" "$CHROOT$DIR"
as_user condor_rm -constraint "$CONSTRAINT" >/dev/null 2>&1 || true
sleep 2

capture condor_version condor_version
capture condor_q-empty condor_q -json -attributes "$ATTRS" -constraint "$CONSTRAINT"
capture condor_history-empty condor_history -json -attributes "$ATTRS" -constraint "FerrySite == \"nobody\"" -limit 5
capture condor_rm-missing condor_rm -reason "cancelled by Ferry" 999999.0

held=$(submit held 00000000-0000-0000-0000-000000000001 /nonexistent/program "")
ok=$(submit ok 00000000-0000-0000-0000-000000000002 /bin/sh "-c 'echo hello'")
exit3=$(submit exit3 00000000-0000-0000-0000-000000000003 /bin/sh "-c 'exit 3'")
signal=$(submit signal 00000000-0000-0000-0000-000000000004 /bin/sh "-c 'kill -9 \$\$'")
running=$(submit running 00000000-0000-0000-0000-000000000005 /bin/sleep "300")
deadline=$(submit deadline 00000000-0000-0000-0000-000000000006 /bin/sleep "300" \
  "+FerryDeadline = 2
periodic_remove = (JobStatus == 2) && (time() - JobCurrentStartExecutingDate > FerryDeadline)")
idle=$(submit idle 00000000-0000-0000-0000-000000000007 /bin/true "" "hold = true
+FerryUndefined = undefined")
echo "submitted: held $held ok $ok exit3 $exit3 signal $signal running $running deadline $deadline idle $idle" >&2

# wait until the short jobs have left the queue, the held one is held and the sleeper runs
for _ in $(seq 1 120); do
  states=$(as_user condor_q -constraint "$CONSTRAINT" -af:j JobStatus | tr '\n' ' ')
  if [[ "$states" == *"$held 5"* && "$states" == *"$running 2"* && "$states" != *"$ok "* && "$states" != *"$exit3 "* \
        && "$states" != *"$signal "* && "$states" != *"$deadline "* ]]; then
    break
  fi
  sleep 1
done
capture condor_q-mixed condor_q -json -attributes "$ATTRS" -constraint "$CONSTRAINT"
capture condor_q-json-undefined condor_q -json -attributes ClusterId,ProcId,FerryUndefined,NoSuchAttribute -constraint "$CONSTRAINT"
capture condor_q-af-undefined condor_q -af:j JobStatus FerryUndefined NoSuchAttribute HoldReason -constraint "$CONSTRAINT"
capture condor_status-busy condor_status -json -attributes Name,Machine,SlotType,PartitionableSlot,DynamicSlot,Cpus,TotalSlotCpus,Memory,TotalSlotMemory,GPUs,TotalSlotGPUs,State,Activity
capture condor_rm-running condor_rm -reason "cancelled by Ferry" "$running"
for _ in $(seq 1 60); do
  as_user condor_q "$running" -af JobStatus | grep -q . || break
  sleep 1
done
capture condor_history-finished condor_history -json -attributes "$ATTRS" -constraint "$CONSTRAINT && ClusterId >= ${held%.*}"
capture condor_rm-gone condor_rm -reason "cancelled by Ferry" "$running"
capture condor_status condor_status -json -attributes Name,Machine,SlotType,PartitionableSlot,DynamicSlot,Cpus,TotalSlotCpus,Memory,TotalSlotMemory,GPUs,TotalSlotGPUs,State,Activity
capture condor_submit-bad-command condor_submit -terse "$DIR/does-not-exist.sub"
as_user condor_rm -constraint "$CONSTRAINT" >/dev/null 2>&1 || true
echo "captured HTCondor $VERSION outputs into $OUT" >&2
