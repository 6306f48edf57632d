#!/usr/bin/env bash
# A real "VM" on 127.0.0.1 for the VM backend's integration tests, benchmark and demos: Debian's
# OpenSSH server with its own configuration (key-only, UsePAM no, a non-standard port, its own host
# key), a dedicated unprivileged login user, and rootless podman for that user that runs containers
# from a local busybox root filesystem (no registry).
#
#   local-vm.sh start    write keys and configuration, create the user, start sshd, wait until a real
#                        key login works, import the busybox image into the user's podman and check
#                        that podman runs a container; writes $FERRY_VM_DIR/env
#   local-vm.sh stop     stop sshd by its PID (the user's jobs are left alone: the tests cancel theirs)
#   local-vm.sh status   print whether sshd runs and answers, and the env file (exit 0 when it answers)
#   local-vm.sh env      print the env file (export lines the tests and benchmark read)
#
# Everything lives under $FERRY_VM_DIR (default /tmp/ferry-vm): sshd_config, host key, the executor's
# client keys (ed25519 and RSA), known_hosts, pid and log files, the busybox root filesystem. Outside
# it: the user (default ferryvm) with ~/.ssh/authorized_keys and ~/.config/containers/containers.conf.
# Must run as root (sshd and useradd need it). Safe to run twice.
#
# Packages (installed by .ci/setup.d/40-vm.sh, not by this script):
#   apt-get install -y --no-install-recommends openssh-server openssh-client podman runc uidmap slirp4netns fuse-overlayfs busybox-static
set -euo pipefail

BASE=${FERRY_VM_DIR:-/tmp/ferry-vm}
PORT=${FERRY_VM_PORT:-22022}
VM_USER=${FERRY_VM_USER:-ferryvm}
IMAGE=${FERRY_VM_IMAGE:-localhost/ferry-busybox:latest}
START_TIMEOUT=${FERRY_VM_START_TIMEOUT:-30}
CONF=$BASE/sshd_config
ENV_FILE=$BASE/env

log() { printf 'local-vm: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

alive() { # pid file -> 0 when the process in it runs
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

as_user() { # run a command line as the VM user in a login-like environment (its home, its own podman storage)
  local home
  home=$(getent passwd "$VM_USER" | cut -d: -f6)
  (cd "$home" && setpriv --reuid="$VM_USER" --regid="$VM_USER" --init-groups \
    env -i HOME="$home" USER="$VM_USER" LOGNAME="$VM_USER" PATH=/usr/local/bin:/usr/bin:/bin sh -c "$1")
}

ensure_user() {
  if ! id "$VM_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$VM_USER"
    log "created user $VM_USER"
  fi
  # a locked password ('!') makes sshd refuse the account when UsePAM is off; '*' has no password and is not locked
  usermod -p '*' "$VM_USER"
  local uid
  uid=$(id -u "$VM_USER")
  # rootless podman needs subordinate ids (useradd adds them on Debian when uidmap is installed; make sure)
  grep -q "^$VM_USER:" /etc/subuid || echo "$VM_USER:$((100000 + uid * 65536)):65536" >>/etc/subuid
  grep -q "^$VM_USER:" /etc/subgid || echo "$VM_USER:$((100000 + uid * 65536)):65536" >>/etc/subgid
  local home
  home=$(getent passwd "$VM_USER" | cut -d: -f6)
  install -d -m 0700 -o "$VM_USER" -g "$VM_USER" "$home/.ssh" "$home/.config" "$home/.config/containers"
  cat "$BASE/client_ed25519.pub" "$BASE/client_rsa.pub" >"$home/.ssh/authorized_keys.tmp"
  install -m 0600 -o "$VM_USER" -g "$VM_USER" "$home/.ssh/authorized_keys.tmp" "$home/.ssh/authorized_keys"
  rm -f "$home/.ssh/authorized_keys.tmp"
  # Debian 12's podman 4.3 on this kind of machine: crun fails (cgroups v1/hybrid), events need a file,
  # root cannot raise rlimits, and /dev/net/tun is not open to users (no slirp4netns): host network
  cat >"$BASE/containers.conf" <<'EOF'
# written by local-vm.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "host"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  install -m 0644 -o "$VM_USER" -g "$VM_USER" "$BASE/containers.conf" "$home/.config/containers/containers.conf"
}

write_keys() {
  mkdir -p "$BASE"
  chmod 0755 "$BASE"
  [ -f "$BASE/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "ferry-vm host" -f "$BASE/ssh_host_ed25519_key"
  [ -f "$BASE/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "ferry-vm executor" -f "$BASE/client_ed25519"
  [ -f "$BASE/client_rsa" ] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C "ferry-vm executor (rsa)" -f "$BASE/client_rsa"
  # the executor runs as root here but must be able to read them wherever the tests run
  chmod 0600 "$BASE/ssh_host_ed25519_key" "$BASE/client_ed25519" "$BASE/client_rsa"
  printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "$BASE/ssh_host_ed25519_key.pub")" >"$BASE/known_hosts"
}

write_sshd_config() {
  cat >"$CONF.tmp" <<EOF
# written by $(basename "$0"); base directory $BASE
Port $PORT
ListenAddress 127.0.0.1
HostKey $BASE/ssh_host_ed25519_key
PidFile $BASE/sshd.pid
UsePAM no
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PermitEmptyPasswords no
AllowUsers $VM_USER
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
# the executor keeps one connection per host and opens many short channels on it
MaxSessions 200
MaxStartups 100:30:200
ClientAliveInterval 30
# podman 5 (Debian 13) warns on every run about cgroups v1 otherwise
SetEnv PODMAN_IGNORE_CGROUPSV1_WARNING=1
LogLevel INFO
EOF
  mv "$CONF.tmp" "$CONF"
}

ssh_as_user() { # run a remote command as the VM user through the real sshd
  ssh -F /dev/null -p "$PORT" -i "$BASE/client_ed25519" -o BatchMode=yes -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$BASE/known_hosts" -o StrictHostKeyChecking=yes -o ConnectTimeout=5 \
    "$VM_USER@127.0.0.1" "$@"
}

start_sshd() {
  if alive "$BASE/sshd.pid"; then
    log "sshd already runs (pid $(cat "$BASE/sshd.pid"))"
  else
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
    /usr/sbin/sshd -t -f "$CONF" || die "sshd rejects $CONF"
    /usr/sbin/sshd -f "$CONF" -E "$BASE/sshd.log"
    log "started sshd on 127.0.0.1:$PORT"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until ssh_as_user true 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      tail -20 "$BASE/sshd.log" >&2 || true
      die "no key login as $VM_USER on 127.0.0.1:$PORT within ${START_TIMEOUT}s (log: $BASE/sshd.log)"
    fi
    sleep 0.2
  done
  log "key login as $VM_USER works"
}

setup_podman() {
  PODMAN_STATUS="missing: podman is not installed"
  command -v podman >/dev/null || return 0
  if [ ! -x "$BASE/rootfs/bin/busybox" ]; then
    local busybox
    busybox=$(command -v busybox || true)
    [ -n "$busybox" ] && file_is_static "$busybox" || busybox=/bin/busybox
    [ -x "$busybox" ] || { PODMAN_STATUS="missing: busybox-static is not installed"; return 0; }
    rm -rf "$BASE/rootfs.tmp"
    mkdir -p "$BASE/rootfs.tmp/bin" "$BASE/rootfs.tmp/tmp" "$BASE/rootfs.tmp/etc"
    cp "$busybox" "$BASE/rootfs.tmp/bin/busybox"
    (cd "$BASE/rootfs.tmp/bin" && for applet in $(./busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$applet"; done)
    chmod 1777 "$BASE/rootfs.tmp/tmp"
    mv "$BASE/rootfs.tmp" "$BASE/rootfs"
  fi
  # podman --rootfs writes into the tree (e.g. /etc/mtab): the VM user owns this copy
  [ -e "$BASE/rootfs/etc/mtab" ] || ln -s /proc/mounts "$BASE/rootfs/etc/mtab"
  chown -R "$VM_USER:$VM_USER" "$BASE/rootfs"
  chmod -R a+rX "$BASE/rootfs"
  if ! as_user "podman image exists '$IMAGE'" >/dev/null 2>&1; then
    tar -C "$BASE/rootfs" -c . | as_user "podman import --quiet - '$IMAGE'" >/dev/null \
      || { PODMAN_STATUS="broken: podman import of $BASE/rootfs failed"; return 0; }
    log "imported $BASE/rootfs as $IMAGE for $VM_USER"
  fi
  local out
  if out=$(ssh_as_user "podman --log-level=error run --rm '$IMAGE' /bin/sh -c 'echo podman-ok'" 2>&1) && [ "$out" = podman-ok ]; then
    PODMAN_STATUS=ok
    log "rootless podman runs $IMAGE over ssh"
  else
    PODMAN_STATUS="broken: podman run over ssh printed: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
    log "$PODMAN_STATUS"
  fi
}

file_is_static() {
  # busybox-static installs /bin/busybox; the dynamic one would not run inside an empty rootfs
  ! ldd "$1" >/dev/null 2>&1
}

write_env() {
  {
    echo "# written by local-vm.sh start; read by executors/vm's integration tests and load-tests' VM benchmark"
    echo "FERRY_VM_DIR=$BASE"
    echo "FERRY_VM_HOST=127.0.0.1"
    echo "FERRY_VM_PORT=$PORT"
    echo "FERRY_VM_USER=$VM_USER"
    echo "FERRY_VM_KEY=$BASE/client_ed25519"
    echo "FERRY_VM_RSA_KEY=$BASE/client_rsa"
    echo "FERRY_VM_KNOWN_HOSTS=$BASE/known_hosts"
    echo "FERRY_VM_IMAGE=$IMAGE"
    echo "FERRY_VM_ROOTFS=$BASE/rootfs"
    printf 'FERRY_VM_PODMAN=%q\n' "$PODMAN_STATUS"
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (sshd, useradd)"
  [ -x /usr/sbin/sshd ] || die "/usr/sbin/sshd is missing: apt-get install openssh-server"
  write_keys
  ensure_user
  write_sshd_config
  start_sshd
  setup_podman
  write_env
  log "ready: $ENV_FILE"
}

cmd_stop() {
  if alive "$BASE/sshd.pid"; then
    local pid
    pid=$(cat "$BASE/sshd.pid")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped sshd (pid $pid)"
  else
    log "sshd is not running"
  fi
  rm -f "$BASE/sshd.pid"
}

cmd_status() {
  if alive "$BASE/sshd.pid" && ssh_as_user true 2>/dev/null; then
    echo "sshd runs (pid $(cat "$BASE/sshd.pid")) on 127.0.0.1:$PORT and accepts $VM_USER's key"
    [ -f "$ENV_FILE" ] && cat "$ENV_FILE"
    return 0
  fi
  echo "sshd is not running on 127.0.0.1:$PORT (start it with: $0 start)"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cat "$ENV_FILE" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
