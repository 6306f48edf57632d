package dev.ferry.executor.vm.model;

import dev.ferry.executor.model.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * The POSIX {@code sh} scripts the backend runs on a VM. Each is sent on the standard input of one
 * SSH command, {@link #SHELL_COMMAND} ({@code sh -s}), so a script of any size, with any data in it,
 * costs one round trip and never appears on a command line; all data in them is either a
 * single-quoted word ({@link Shell#quote}), a job directory name (checked by
 * {@link JobLayout#isDirName}) in a quoted here-document, a number, or base64 in a quoted
 * here-document.
 *
 * <p>Output formats (parsed by {@link StatusReport} and {@link LogFrames}):
 * <pre>
 * now MILLIS
 * host cpus=N memKiB=N                       (with facts)
 * gpu GPU 0: NVIDIA A100 (UUID: ...)         (with facts, one per nvidia-smi -L line)
 * job DIR state=STATE sub=MILLIS start=MILLIS code=N end=MILLIS cancelled=MILLIS deadline=MILLIS
 * ident DIR site=S podUid=U namespace=N podName=P attempt=A pool=P host=H
 * res DIR cpu=MILLI mem=BYTES gpu=N
 * ctr DIR init|main NAME start=MILLIS code=N end=MILLIS
 * size BYTES PATH/DIR/logs/NAME.stdout|stderr    (polls only)
 * gone DIR                                    (deleted: finished longer ago than the retention)
 * </pre>
 * STATE is {@code starting} (submitted, wrapper not yet up), {@code running} (the wrapper's PID
 * runs with the recorded start time), {@code finished} ({@code exit} written), {@code vanished}
 * (the wrapper is gone without writing {@code exit}: SIGKILL, OOM killer, reboot) or
 * {@code missing} (no such directory).
 */
public final class RemoteScripts {

    /** The one command every script runs with: the script comes on standard input. */
    public static final String SHELL_COMMAND = "sh -s";

    private static final String NOW = """
            ferry_now() {
              ferry_t=$(date +%s%3N 2>/dev/null)
              case "$ferry_t" in ''|*[!0-9]*) ferry_t=$(($(date +%s) * 1000)) ;; esac
              echo "$ferry_t"
            }
            """;

    private RemoteScripts() {
    }

    // ------------------------------------------------------------------------------------------ submit

    /**
     * Creates the job directory with the bundle's files and starts the wrapper detached
     * ({@code setsid}), then waits up to {@code startWait} for it to record its PID (zero: does not
     * wait; a wrapper that never starts shows as {@code starting} until the start timeout). Prints
     * {@code FERRY_STARTED PID}, {@code FERRY_EXISTS} (this pod attempt was submitted before: it is
     * never started twice) or {@code FERRY_NOT_STARTED} followed by the wrapper's output.
     */
    public static String submit(String workDir, String site, String dirName, JobBundle.Bundle bundle, Duration startWait) {
        requireDir(dirName);
        StringBuilder s = new StringBuilder();
        s.append("set -u\n");
        s.append("umask 077\n");
        s.append(NOW);
        s.append("S=").append(Shell.quote(JobLayout.siteDir(workDir, site))).append('\n');
        s.append("D=\"$S/").append(dirName).append("\"\n");
        s.append("mkdir -p -- \"$S\" || { echo \"FERRY_ERROR cannot create the site directory\"; exit 3; }\n");
        s.append("if [ -e \"$D/submitted\" ]; then echo FERRY_EXISTS; exit 0; fi\n");
        s.append("# a submission that broke off before it was complete never started: start over\n");
        s.append("rm -rf -- \"$D\"\n");
        s.append("mkdir -- \"$D\" && cd -- \"$D\" || { echo \"FERRY_ERROR cannot create the job directory\"; exit 3; }\n");
        s.append("mkdir -p --");
        for (String dir : bundle.directories()) {
            s.append(' ').append(Shell.quote(dir));
        }
        s.append(" || exit 3\n");
        for (JobBundle.JobFile f : bundle.files()) {
            s.append("base64 -d >").append(Shell.quote(f.path())).append(" <<'FERRY_EOF' || exit 3\n");
            String b64 = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(f.content());
            if (!b64.isEmpty()) {
                s.append(b64).append('\n');
            }
            s.append("FERRY_EOF\n");
            s.append("chmod ").append(Integer.toOctalString(f.mode())).append(' ').append(Shell.quote(f.path())).append('\n');
        }
        s.append("ferry_now >submitted\n");
        s.append("setsid sh ./run.sh </dev/null >wrapper.log 2>&1 &\n");
        if (startWait.isZero()) {
            s.append("echo \"FERRY_STARTED $!\"\n");
            s.append("exit 0\n");
            return s.toString();
        }
        long tries = Math.max(1, startWait.toMillis() / 50);
        s.append("ferry_i=0\n");
        s.append("while [ ! -s pid ] && [ ! -e exit ] && [ \"$ferry_i\" -lt ").append(tries).append(" ]; do sleep 0.05; ferry_i=$((ferry_i + 1)); done\n");
        s.append("if [ -s pid ]; then read -r ferry_p _ <pid; echo \"FERRY_STARTED $ferry_p\"; exit 0; fi\n");
        s.append("echo FERRY_NOT_STARTED\n");
        s.append("head -c 2000 wrapper.log 2>/dev/null\n");
        s.append("exit 0\n");
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------ cancel

    /**
     * Cancels jobs: marks each {@code cancelled}, sends SIGTERM to the wrapper's process group (the
     * wrapper then asks the runtime to stop its containers) and leaves a detached watchdog that
     * sends SIGKILL after {@code grace} if the group is still there. Prints {@code cancel DIR
     * signalled|finished|missing|pending} per job. A job that has not started its wrapper yet
     * sees the mark when it starts and runs nothing.
     */
    public static String cancel(String workDir, String site, Collection<String> dirNames, Duration grace) {
        StringBuilder s = new StringBuilder();
        s.append("set -u\n");
        s.append(NOW);
        s.append("S=").append(Shell.quote(JobLayout.siteDir(workDir, site))).append('\n');
        s.append("ferry_alive() { [ -r \"/proc/$1/stat\" ] && read -r ferry_s <\"/proc/$1/stat\" && set -- \"$2\" ${ferry_s##*) } && [ \"$1\" = \"${21}\" ]; }\n");
        s.append("while read -r n; do\n");
        s.append("  [ -n \"$n\" ] || continue\n");
        s.append("  d=\"$S/$n\"\n");
        s.append("  if [ ! -d \"$d\" ]; then echo \"cancel $n missing\"; continue; fi\n");
        s.append("  if [ -e \"$d/exit\" ]; then echo \"cancel $n finished\"; continue; fi\n");
        s.append("  [ -e \"$d/cancelled\" ] || ferry_now >\"$d/cancelled\"\n");
        s.append("  if [ -s \"$d/pid\" ] && read -r p st <\"$d/pid\" && ferry_alive \"$p\" \"$st\"; then\n");
        s.append("    kill -TERM \"-$p\" 2>/dev/null\n");
        s.append("    setsid sh -c 'sleep \"$1\"; [ -e \"$2/exit\" ] && exit 0; read -r s <\"/proc/$3/stat\" || exit 0; set -- \"$3\" \"$4\" ${s##*) }; [ \"$2\" = \"${22}\" ] && kill -KILL \"-$1\"' ferry-kill ")
                .append(Math.max(1, grace.toSeconds())).append(" \"$d\" \"$p\" \"$st\" </dev/null >/dev/null 2>&1 &\n");
        s.append("    echo \"cancel $n signalled\"\n");
        s.append("  else\n");
        s.append("    echo \"cancel $n pending\"\n");
        s.append("  fi\n");
        s.append("done <<'FERRY_LIST'\n");
        appendDirs(s, dirNames);
        s.append("FERRY_LIST\n");
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------ status

    /** What a status script reports besides the jobs. */
    public enum Scope {
        /** The given jobs only (a poll). */
        JOBS,
        /** Every job directory of the site, with identities; deletes finished ones older than the retention. */
        ALL,
        /**
         * The host's CPUs, memory and GPUs and what its unfinished jobs requested (pool discovery); deletes finished
         * job directories older than the retention.
         */
        ALL_WITH_FACTS
    }

    /**
     * The status of {@code dirNames} (scope {@link Scope#JOBS}) or of every job of the site, in the
     * format described above: one script, one round trip, whatever the number of jobs.
     */
    public static String status(String workDir, String site, Scope scope, Collection<String> dirNames, Duration retention) {
        StringBuilder s = new StringBuilder();
        s.append("set -u\n");
        s.append(NOW);
        s.append("S=").append(Shell.quote(JobLayout.siteDir(workDir, site))).append('\n');
        s.append("ferry_now_ms=$(ferry_now)\n");
        s.append("echo \"now $ferry_now_ms\"\n");
        if (scope == Scope.ALL_WITH_FACTS) {
            s.append("ferry_cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 0)\n");
            s.append("ferry_mem=0\n");
            s.append("while read -r k v _; do if [ \"$k\" = MemTotal: ]; then ferry_mem=$v; break; fi; done </proc/meminfo\n");
            s.append("echo \"host cpus=$ferry_cpus memKiB=$ferry_mem\"\n");
            s.append("if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L </dev/null 2>/dev/null | while IFS= read -r g; do echo \"gpu $g\"; done; fi\n");
        }
        s.append("""
                ferry_val() { ferry_v=; [ -f "$1" ] && read -r ferry_v _ <"$1" 2>/dev/null; }
                ferry_job() {
                  n=$1
                  d="$S/$n"
                  if [ ! -d "$d" ]; then echo "job $n state=missing"; return 0; fi
                  ferry_val "$d/submitted"; sub=$ferry_v
                  ferry_val "$d/started"; start=$ferry_v
                  ferry_val "$d/cancelled"; can=$ferry_v
                  ferry_val "$d/deadline"; dl=$ferry_v
                  code=; end=
                  if [ -f "$d/exit" ]; then
                    state=finished; read -r code end <"$d/exit"
                  elif [ -f "$d/pid" ]; then
                    state=vanished; read -r p st <"$d/pid"
                    if [ -r "/proc/$p/stat" ] && read -r ps <"/proc/$p/stat" 2>/dev/null; then
                      set -- ${ps##*) }
                      [ "${20}" = "$st" ] && state=running
                    fi
                    if [ "$state" = vanished ] && [ -f "$d/exit" ]; then state=finished; read -r code end <"$d/exit"; fi
                  else
                    state=starting
                  fi
                """);
        if (scope == Scope.ALL) {
            s.append("""
                      if [ "$state" = finished ] && [ -n "$end" ] && [ "$end" -lt "$ferry_cutoff" ] 2>/dev/null; then
                        rm -rf -- "$d"; echo "gone $n"; return 0
                      fi
                    """);
        }
        s.append("""
                  echo "job $n state=$state sub=$sub start=$start code=$code end=$end cancelled=$can deadline=$dl"
                """);
        if (scope == Scope.ALL_WITH_FACTS) {
            // pool discovery needs only what running jobs requested
            s.append("""
                      if [ -f "$d/resources" ]; then read -r r <"$d/resources"; echo "res $n $r"; fi
                      return 0
                    }
                    """);
        }
        if (scope == Scope.ALL) {
            s.append("""
                      ferry_id=
                      if [ -f "$d/identity" ]; then while read -r kv; do ferry_id="$ferry_id $kv"; done <"$d/identity"; fi
                      echo "ident $n$ferry_id"
                    """);
        }
        if (scope != Scope.ALL_WITH_FACTS) {
            s.append("""
                  if [ -f "$d/resources" ]; then read -r r <"$d/resources"; echo "res $n $r"; fi
                  if [ -f "$d/containers" ]; then
                    while read -r kind c; do
                      ferry_val "$d/state/$c.started"; cs=$ferry_v
                      cc=; ce=
                      [ -f "$d/state/$c.exit" ] && read -r cc ce <"$d/state/$c.exit"
                      echo "ctr $n $kind $c start=$cs code=$cc end=$ce"
                    done <"$d/containers"
                  fi
                  return 0
                }
                """);
        }
        if (scope != Scope.JOBS) {
            s.append("ferry_cutoff=$((ferry_now_ms - ").append(retention.toMillis()).append("))\n");
        }
        if (scope == Scope.JOBS) {
            s.append("while read -r ferry_n; do\n");
            s.append("  [ -n \"$ferry_n\" ] || continue\n");
        } else {
            s.append("for ferry_p in \"$S\"/*; do\n");
            s.append("  [ -d \"$ferry_p\" ] || continue\n");
            s.append("  ferry_n=${ferry_p##*/}\n");
            s.append("  case \"$ferry_n\" in *.tmp|.*) continue ;; esac\n");
        }
        if (scope == Scope.ALL_WITH_FACTS) {
            // finished jobs hold nothing; the ones past the retention are deleted here too, so that a site that gets no
            // new pods (and so lists its jobs only at start) still cleans up
            s.append("  if [ -f \"$ferry_p/exit\" ]; then\n");
            s.append("    ferry_end=; read -r _ ferry_end <\"$ferry_p/exit\"\n");
            s.append("    if [ -n \"$ferry_end\" ] && [ \"$ferry_end\" -lt \"$ferry_cutoff\" ] 2>/dev/null; then rm -rf -- \"$ferry_p\"; echo \"gone $ferry_n\"; fi\n");
            s.append("    continue\n");
            s.append("  fi\n");
            s.append("  ferry_job \"$ferry_n\"\n");
            s.append("done\n");
            s.append("exit 0\n");
            return s.toString();
        }
        s.append("  ferry_job \"$ferry_n\"\n");
        if (scope == Scope.JOBS) {
            s.append("done <<'FERRY_LIST'\n");
            appendDirs(s, dirNames);
            s.append("FERRY_LIST\n");
            // the output files' sizes, so that logs are fetched only when there is something new: one stat per
            // 200 jobs (a glob that matches nothing stays as it is and stat's complaint goes nowhere)
            List<String> dirs = List.copyOf(dirNames);
            for (int i = 0; i < dirs.size(); i += 200) {
                s.append("stat -c 'size %s %n' --");
                for (String dir : dirs.subList(i, Math.min(dirs.size(), i + 200))) {
                    s.append(" \"$S\"/").append(dir).append("/logs/*");
                }
                s.append(" 2>/dev/null\n");
            }
        } else {
            s.append("done\n");
        }
        s.append("exit 0\n");
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------ logs

    /** One stream to read: a job directory, a container, a stream, from an offset, at most some bytes. */
    public record LogRequest(String dir, String container, String stream, long offset, int maxBytes) {
        public LogRequest {
            requireDir(dir);
            if (!container.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("container name '" + container + "' is not a DNS label");
            }
            if (!stream.equals("stdout") && !stream.equals("stderr")) {
                throw new IllegalArgumentException("stream must be stdout or stderr, was " + stream);
            }
            if (offset < 0 || maxBytes < 0) {
                throw new IllegalArgumentException("offset and maxBytes must not be negative");
            }
        }
    }

    /**
     * Reads several log streams at once: per request a header line {@code chunk DIR CONTAINER
     * STREAM OFFSET LENGTH} followed by exactly LENGTH bytes and a newline ({@link LogFrames}).
     */
    public static String logs(String workDir, String site, List<LogRequest> requests) {
        StringBuilder s = new StringBuilder();
        s.append("set -u\n");
        s.append("S=").append(Shell.quote(JobLayout.siteDir(workDir, site))).append('\n');
        s.append("""
                while read -r n c st off max; do
                  [ -n "$n" ] || continue
                  f="$S/$n/logs/$c.$st"
                  len=0
                  if [ -f "$f" ]; then
                    size=$(wc -c <"$f")
                    len=$(( $size - off ))
                    [ "$len" -gt "$max" ] && len=$max
                    [ "$len" -lt 0 ] && len=0
                  fi
                  echo "chunk $n $c $st $off $len"
                  if [ "$len" -gt 0 ]; then tail -c "+$((off + 1))" "$f" | head -c "$len"; fi
                  echo
                done <<'FERRY_LIST'
                """);
        for (LogRequest r : requests) {
            s.append(r.dir()).append(' ').append(r.container()).append(' ').append(r.stream()).append(' ').append(r.offset()).append(' ')
                    .append(r.maxBytes()).append('\n');
        }
        s.append("FERRY_LIST\n");
        return s.toString();
    }

    private static void appendDirs(StringBuilder s, Collection<String> dirNames) {
        for (String dir : dirNames) {
            requireDir(dir);
            s.append(dir).append('\n');
        }
    }

    private static void requireDir(String dir) {
        if (!JobLayout.isDirName(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not a job directory name (<pod-uid>-<attempt>)");
        }
    }
}
