#!/bin/bash
# Ferry's launcher for HTCondor jobs (written by the executor; the same for every pod).
# Runs a pod's init containers one after the other, each to success, then its containers side by side,
# from the files the executor wrote into the pod directory ($FERRY_POD_DIR):
#   spec/containers       one line per container: "init NAME" or "main NAME", in order
#   spec/NAME.argv        the command and its arguments, each terminated by a NUL byte
#   spec/NAME.env         NAME=value entries, each terminated by a NUL byte (secrets too: the file is 0600)
#   spec/NAME.workdir     the working directory, terminated by a NUL byte (absent: $FERRY_POD_DIR/work)
# and writes logs/NAME.stdout, logs/NAME.stderr, state/NAME.started (epoch ms), state/NAME.exit ("CODE MS").
# No value of the pod is ever interpreted by this shell: each is read as one word and passed on as it is.
# Exits with the exit code of the first container that failed (an init container's, or a container's), or 0.
set -u
d=${FERRY_POD_DIR:?FERRY_POD_DIR is not set}

ferry_now() { date +%s%3N; }

ferry_run() {
  local name=$1 rc
  ferry_now > "$d/state/$name.started"
  (
    if [ -f "$d/spec/$name.env" ]; then
      while IFS= read -r -d '' kv; do
        export -- "$kv" 2>/dev/null || printf 'ferry: cannot set %s in this shell; it is not passed on\n' "${kv%%=*}" >&2
      done < "$d/spec/$name.env"
    fi
    argv=()
    mapfile -t -d '' argv < "$d/spec/$name.argv"
    wd=$d/work
    if [ -f "$d/spec/$name.workdir" ]; then
      IFS= read -r -d '' wd < "$d/spec/$name.workdir"
    fi
    cd -- "$wd" || exit 127
    exec -- "${argv[@]}"
  ) > "$d/logs/$name.stdout" 2> "$d/logs/$name.stderr" < /dev/null
  rc=$?
  printf '%s %s\n' "$rc" "$(ferry_now)" > "$d/state/$name.exit.tmp" && mv -f -- "$d/state/$name.exit.tmp" "$d/state/$name.exit"
  return "$rc"
}

inits=()
mains=()
while read -r kind name; do
  case "$kind" in
    init) inits+=("$name") ;;
    main) mains+=("$name") ;;
  esac
done < "$d/spec/containers"

for name in "${inits[@]}"; do
  ferry_run "$name" || exit $?
done
for name in "${mains[@]}"; do
  ferry_run "$name" &
done
wait
status=0
for name in "${mains[@]}"; do
  rc=1
  [ -f "$d/state/$name.exit" ] && read -r rc _ < "$d/state/$name.exit"
  if [ "$status" -eq 0 ] && [ "$rc" -ne 0 ]; then status=$rc; fi
done
exit "$status"
