package dev.ferry.executor.slurm;

import dev.ferry.executor.slurm.model.BatchScript;
import dev.ferry.executor.slurm.model.ContainerFiles;
import dev.ferry.executor.slurm.model.JobComment;
import dev.ferry.executor.slurm.model.SinfoPools;
import dev.ferry.executor.slurm.model.SlurmStates;
import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PoolInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods as Slurm batch jobs. Every Slurm command runs through the {@link CommandRunner} with an
 * argument list; the batch script comes from the pure {@link BatchScript}.
 *
 * <p>Queries per {@link #poll}: one {@code squeue -h -t all --me} for all jobs; one
 * {@code sacct -c} for all jobs the controller has forgotten (only when there are such jobs); one
 * {@code scontrol show job -o ID} per job at the moment it is first seen finished, for its exit
 * code, signal and time limit (cached afterwards). {@code --me} matters: jobs of other users can
 * never be adopted, even if they carry a Ferry comment.
 */
public final class SlurmBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(SlurmBackend.class);
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final List<String> TRANSIENT = List.of("Unable to contact slurm controller", "Socket timed out",
            "Connection refused", "Zero Bytes were transmitted", "Resource temporarily unavailable", "slurm_receive_msg",
            "Communication connection failure", "Slurm backup controller in standby mode", "Transport endpoint is not connected",
            "Unable to establish controller machine", "munge", "Invalid authentication credential", "Protocol authentication error");

    private final String site;
    private final SlurmSettings settings;
    private final CommandRunner runner;
    private final ZoneId zone;
    private final Map<String, JobStatus> finishedDetails = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobStatus> eldest) {
            return size() > 20_000;
        }
    };
    private final Map<String, ContainerFiles.Names> containerNames = new HashMap<>();

    public SlurmBackend(String site, SlurmSettings settings, CommandRunner runner, ZoneId zone) {
        this.site = site;
        this.settings = settings;
        this.runner = runner;
        this.zone = zone;
    }

    @Override
    public String type() {
        return "slurm";
    }

    /** The settings in force. */
    public SlurmSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------------------------------ submit

    @Override
    public JobHandle submit(JobRequest request) throws BackendException {
        JobIdentity id = request.identity();
        String podDir = BatchScript.podDirectory(settings, id);
        BatchScript.BatchJob job = BatchScript.render(id, request.pod(), settings, podDir);
        Path dir = Path.of(podDir);
        writePodDirectory(dir, job);
        List<String> argv = new ArrayList<>();
        argv.add(settings.commands().sbatch());
        argv.add("--parsable");
        argv.addAll(job.sbatchOptions());
        argv.add(dir.resolve("job.sh").toString());
        CommandResult result = runner.run(argv);
        if (!result.ok()) {
            String err = errorLines(result);
            if (isTransient(err)) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "sbatch could not reach Slurm: " + err);
            }
            throw BackendException.rejected("SubmitRejected", err.isEmpty() ? result.describe() : err);
        }
        String jobId = result.stdout().strip().split(";")[0].strip();
        if (!jobId.matches("[0-9]+")) {
            throw new BackendException(BackendException.Reason.FAILED, "sbatch printed no job id: '" + result.stdout().strip() + "'");
        }
        containerNames.put(jobId, ContainerFiles.Names.parse(new String(job.files().get(0).content(), StandardCharsets.UTF_8)));
        return new JobHandle(id, jobId);
    }

    /**
     * Creates the pod directory afresh (0700), its files (0600) and the script (0700), and checks
     * that Slurm's output file can be written there: Slurm 24.11 drops a job's output silently when
     * the directory is missing.
     */
    private void writePodDirectory(Path dir, BatchScript.BatchJob job) throws BackendException {
        try {
            Path work = Path.of(settings.workDir());
            Files.createDirectories(work);
            if (Files.exists(dir)) {
                deleteRecursively(dir);
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Files.setPosixFilePermissions(dir, DIR_MODE);
            for (String sub : job.directories()) {
                Path d = dir.resolve(sub);
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
            }
            for (BatchScript.PodFile file : job.files()) {
                Path target = dir.resolve(file.path()).normalize();
                if (!target.startsWith(dir)) {
                    throw BackendException.rejected("InvalidPod", "file " + file.path() + " would be outside the pod directory");
                }
                write(target, file.content(), file.mode());
            }
            write(dir.resolve("job.sh"), job.script().getBytes(StandardCharsets.UTF_8), 0700);
            Path out = dir.resolve("slurm.out");
            write(out, new byte[0], 0600);
            if (!Files.isDirectory(dir) || !Files.isWritable(out)) {
                throw new BackendException(BackendException.Reason.FAILED, "pod directory " + dir + " is not writable");
            }
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.FAILED, "cannot prepare pod directory " + dir + " (backend.slurm.workDir="
                    + settings.workDir() + "): " + e, e);
        }
    }

    private static void write(Path file, byte[] content, int mode) throws IOException {
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(modeString(mode));
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(perms));
        } catch (FileAlreadyExistsException e) {
            // written again below
        }
        Files.setPosixFilePermissions(file, perms);
        Files.write(file, content);
    }

    private static String modeString(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return s.toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ cancel

    @Override
    public void cancel(JobHandle job) throws BackendException {
        CommandResult result = runner.run(List.of(settings.commands().scancel(), job.backendJobId()));
        if (result.ok()) {
            return;
        }
        String err = errorLines(result);
        if (err.contains("Invalid job id") || err.contains("already completing or completed") || err.contains("Job/step already")) {
            return;
        }
        if (isTransient(err)) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "scancel could not reach Slurm: " + err);
        }
        throw new BackendException(BackendException.Reason.FAILED, "scancel " + job.backendJobId() + " failed: " + err);
    }

    // ------------------------------------------------------------------------------------------ poll

    @Override
    public Map<JobHandle, JobStatus> poll(Collection<JobHandle> jobs) throws BackendException {
        Map<String, SlurmStates.QueueRow> queue = new HashMap<>();
        for (SlurmStates.QueueRow row : squeue()) {
            queue.put(row.jobId(), row);
        }
        List<JobHandle> forgotten = jobs.stream().filter(j -> !queue.containsKey(j.backendJobId())
                && !finishedDetails.containsKey(j.backendJobId())).toList();
        Map<String, SlurmStates.AccountingRow> accounting = forgotten.isEmpty() ? Map.of() : sacct(forgotten);
        Map<JobHandle, JobStatus> out = new LinkedHashMap<>();
        for (JobHandle job : jobs) {
            String id = job.backendJobId();
            JobStatus status = finishedDetails.get(id);
            if (status == null) {
                SlurmStates.QueueRow row = queue.get(id);
                SlurmStates.AccountingRow acct = accounting.get(id);
                if (row != null) {
                    status = SlurmStates.map(row.state(), row.reason(), Optional.empty(), row.timeLimit(), Optional.empty(), Optional.empty());
                    if (status.isTerminal()) {
                        status = finishedFromScontrol(id, row);
                    }
                } else if (acct != null) {
                    status = SlurmStates.map(acct.state(), "", SlurmStates.ExitCode.parse(acct.exitCode()), "", Optional.empty(),
                            Optional.empty());
                    finishedDetails.put(id, status);
                } else {
                    continue;
                }
            }
            out.put(job, withContainers(job, status));
        }
        return out;
    }

    private JobStatus finishedFromScontrol(String id, SlurmStates.QueueRow row) throws BackendException {
        CommandResult result = runner.run(List.of(settings.commands().scontrol(), "show", "job", "-o", id));
        Map<String, String> f = result.ok() ? SlurmStates.parseScontrol(result.stdout()) : Map.of();
        JobStatus status = SlurmStates.map(f.getOrDefault("JobState", row.state()), f.getOrDefault("Reason", row.reason()),
                SlurmStates.ExitCode.parse(f.get("ExitCode")), f.getOrDefault("TimeLimit", row.timeLimit()),
                SlurmStates.parseTime(f.get("StartTime"), zone), SlurmStates.parseTime(f.get("EndTime"), zone));
        if (!result.ok() && isTransient(errorLines(result))) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "scontrol could not reach Slurm: " + errorLines(result));
        }
        finishedDetails.put(id, status);
        return status;
    }

    private List<SlurmStates.QueueRow> squeue() throws BackendException {
        CommandResult result = runner.run(List.of(settings.commands().squeue(), "-h", "-t", "all", "--me", "-o", SlurmStates.SQUEUE_FORMAT));
        if (!result.ok()) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "squeue failed: " + errorLines(result));
        }
        return SlurmStates.parseSqueue(result.stdout());
    }

    private Map<String, SlurmStates.AccountingRow> sacct(List<JobHandle> jobs) throws BackendException {
        List<String> ids = jobs.stream().map(JobHandle::backendJobId).distinct().toList();
        CommandResult result = runner.run(List.of(settings.commands().sacct(), "-c", "-P", "-n", "-j", String.join(",", ids),
                "-o", SlurmStates.SACCT_FIELDS));
        if (!result.ok()) {
            String err = errorLines(result);
            if (isTransient(err)) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "sacct failed: " + err);
            }
            LOG.warn("sacct -c for jobs {} failed: {}", ids, err);
            return Map.of();
        }
        return SlurmStates.parseSacct(result.stdout());
    }

    private JobStatus withContainers(JobHandle job, JobStatus status) {
        Path dir = Path.of(BatchScript.podDirectory(settings, job.identity()));
        ContainerFiles.Names names = containerNames.computeIfAbsent(job.backendJobId(),
                k -> ContainerFiles.Names.parse(readSmall(dir.resolve("containers")).orElse("")));
        Map<String, String> started = new HashMap<>();
        Map<String, String> exited = new HashMap<>();
        if (status.phase() != JobStatus.JobPhase.PENDING) {
            for (String name : concat(names.init(), names.main())) {
                if (!DNS_LABEL.matcher(name).matches()) {
                    continue;
                }
                readSmall(dir.resolve("state").resolve(name + ".started")).ifPresent(s -> started.put(name, s));
                readSmall(dir.resolve("state").resolve(name + ".exit")).ifPresent(s -> exited.put(name, s));
            }
        }
        List<ContainerStatusInfo> init = ContainerFiles.states(names.init(), started, exited, status);
        List<ContainerStatusInfo> main = ContainerFiles.states(names.main(), started, exited, status);
        Optional<Instant> startedAt = status.startedAt().or(() -> concat(init, main).stream()
                .map(ContainerStatusInfo::startedAt).flatMap(Optional::stream).min(Comparator.naturalOrder()));
        if (status.phase() == JobStatus.JobPhase.PENDING) {
            startedAt = Optional.empty();
        }
        return new JobStatus(status.phase(), status.reason(), status.message(), status.exitCode(), status.signal(), startedAt,
                status.finishedAt(), init, main);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Optional<String> readSmall(Path file) {
        try {
            if (Files.size(file) > 4096) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------------ owned jobs

    @Override
    public List<JobHandle> listOwned() throws BackendException {
        List<JobHandle> owned = new ArrayList<>();
        for (SlurmStates.QueueRow row : squeue()) {
            JobComment.decode(row.name(), row.comment())
                    .filter(id -> id.site().equals(site))
                    .ifPresent(id -> owned.add(new JobHandle(id, row.jobId())));
        }
        return owned;
    }

    // ------------------------------------------------------------------------------------------ logs

    @Override
    public byte[] readLog(JobHandle job, String container, LogStreamKind stream, long offset, int maxBytes) throws BackendException {
        if (!DNS_LABEL.matcher(container).matches()) {
            throw BackendException.rejected("InvalidPod", "container name '" + container + "' is not a DNS label");
        }
        Path file = Path.of(BatchScript.podDirectory(settings, job.identity()), "logs",
                container + (stream == LogStreamKind.STDOUT ? ".stdout" : ".stderr"));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (offset >= length) {
                return new byte[0];
            }
            int n = (int) Math.min(maxBytes, length - offset);
            byte[] data = new byte[n];
            raf.seek(offset);
            raf.readFully(data);
            return data;
        } catch (java.io.FileNotFoundException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.FAILED, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ pools

    @Override
    public List<PoolInfo> discoverPools() throws BackendException {
        CommandResult result = runner.run(List.of(settings.commands().sinfo(), "-h", "-N", "-O", SinfoPools.FORMAT));
        if (!result.ok()) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "sinfo failed: " + errorLines(result));
        }
        return SinfoPools.parse(result.stdout(), settings.partitions(), settings.gpuGres());
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static boolean isTransient(String err) {
        return TRANSIENT.stream().anyMatch(err::contains);
    }

    /** The command's error output as one line per message, without the "sbatch: error: " prefixes doubled. */
    private static String errorLines(CommandResult result) {
        String err = result.stderr().strip();
        if (err.isEmpty()) {
            return result.argv().get(0) + " exited " + result.exitCode();
        }
        return String.join("; ", err.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }
}
