package dev.ferry.executor.htcondor;

import dev.ferry.executor.htcondor.model.ContainerStates;
import dev.ferry.executor.htcondor.model.JobAd;
import dev.ferry.executor.htcondor.model.JobAttributes;
import dev.ferry.executor.htcondor.model.JobStates;
import dev.ferry.executor.htcondor.model.SlotPools;
import dev.ferry.executor.htcondor.model.SubmitDescription;
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
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods as HTCondor jobs. Every HTCondor tool runs through the {@link CommandRunner} with an argument
 * list; the submit description comes from the pure {@link SubmitDescription}.
 *
 * <p>Queries per {@link #poll}: one {@code condor_q -json} for all of this site's jobs in the queue
 * (jobs leave the queue when they finish); one {@code condor_history -json} for the jobs that are no
 * longer in the queue and whose final state is not known yet, only when there are such jobs. A job
 * held for longer than {@code heldTimeout} costs one {@code condor_rm} when its pod fails. Final
 * states are kept, so a finished job is never queried again. {@code condor_q} shows only the jobs of
 * the user it runs as, so jobs of other users are never adopted even if they carry Ferry's attributes.
 *
 * <p>{@link #listOwned} asks {@code condor_q} and, for jobs that already left the queue, the schedd's
 * history: on the first call back to {@code historyLookback}, afterwards only since the call before
 * (jobs seen finished earlier are remembered).
 */
public final class HtcondorBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(HtcondorBackend.class);
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern JOB_ID = Pattern.compile("^\\s*(\\d+\\.\\d+)\\b", Pattern.MULTILINE);
    private static final List<String> TRANSIENT = List.of("Failed to connect", "Can't find address", "Failed to fetch ads",
            "Connection refused", "timed out", "Timed out", "Unable to locate", "Failed to end classad message", "DENIED",
            "Authentication", "SECMAN", "Couldn't contact", "Can't connect", "error reading from");
    private static final int KEEP_FINISHED = 50_000;

    private final String site;
    private final HtcondorSettings settings;
    private final CommandRunner runner;
    private final PodDirectories directories;
    private final Clock clock;
    /** Final states by job id; a finished job is never asked about again. */
    private final Map<String, JobStatus> finished = lru();
    /** This site's jobs seen in the history, for {@link #listOwned}; with when they left the queue. */
    private final Map<String, OwnedJob> leftQueue = lru();
    private Instant historyScannedAt;

    private record OwnedJob(JobHandle handle, Instant left) {
    }

    public HtcondorBackend(String site, HtcondorSettings settings, CommandRunner runner, PodDirectories directories, Clock clock) {
        this.site = site;
        this.settings = settings;
        this.runner = runner;
        this.directories = directories;
        this.clock = clock;
    }

    @Override
    public String type() {
        return "htcondor";
    }

    /** The settings in force. */
    public HtcondorSettings settings() {
        return settings;
    }

    /** The runner the HTCondor tools run through (for benchmarks: its invocation counts). */
    public CommandRunner runner() {
        return runner;
    }

    // ------------------------------------------------------------------------------------------ submit

    @Override
    public JobHandle submit(JobRequest request) throws BackendException {
        JobIdentity id = request.identity();
        SubmitDescription.SubmitJob job = SubmitDescription.render(id, request.pod(), settings);
        String podDir = SubmitDescription.podDirectory(settings, id);
        try {
            directories.write(settings.workDir(), podDir, job.paths());
        } catch (IOException | RuntimeException e) {
            throw new BackendException(BackendException.Reason.FAILED, "cannot prepare pod directory " + directories.local(podDir)
                    + " (backend.htcondor.workDir=" + settings.workDir() + "): " + e, e);
        }
        if (job.mode() == SubmitDescription.Mode.LAUNCHER) {
            LOG.info("pod {} runs through Ferry's launcher: it {}", id.podDisplayName(), String.join(", ", job.launcherBecause()));
        }
        List<String> argv = new ArrayList<>();
        argv.add(settings.commands().condorSubmit());
        argv.add("-terse");
        argv.addAll(settings.scheddOptions());
        argv.add(podDir + "/job.sub");
        CommandResult result = runner.run(argv);
        if (!result.ok()) {
            String err = errorLines(result);
            if (isTransient(err)) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "condor_submit could not reach the schedd: " + err);
            }
            throw BackendException.rejected("SubmitRejected", "condor_submit refused the job: " + err);
        }
        Matcher m = JOB_ID.matcher(result.stdout());
        if (!m.find()) {
            throw new BackendException(BackendException.Reason.FAILED, "condor_submit printed no job id: '" + result.stdout().strip() + "'");
        }
        return new JobHandle(id, m.group(1));
    }

    // ------------------------------------------------------------------------------------------ cancel

    @Override
    public void cancel(JobHandle job) throws BackendException {
        remove(job.backendJobId(), JobStates.CANCEL_REASON);
    }

    private void remove(String jobId, String reason) throws BackendException {
        List<String> argv = new ArrayList<>();
        argv.add(settings.commands().condorRm());
        argv.addAll(settings.scheddOptions());
        argv.add("-reason");
        argv.add(reason);
        argv.add(jobId);
        CommandResult result = runner.run(argv);
        if (result.ok()) {
            return;
        }
        String err = errorLines(result);
        String all = result.stdout() + "\n" + result.stderr();
        // a job that already left the queue: "Job 17.0 not found", exit 1
        if (all.contains("not found") || all.contains("There are no jobs in the queue") || all.contains("already being removed")) {
            return;
        }
        if (isTransient(err)) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "condor_rm could not reach the schedd: " + err);
        }
        throw new BackendException(BackendException.Reason.FAILED, "condor_rm " + jobId + " failed: " + err);
    }

    // ------------------------------------------------------------------------------------------ poll

    @Override
    public Map<JobHandle, JobStatus> poll(Collection<JobHandle> jobs) throws BackendException {
        Instant now = clock.instant();
        Map<String, JobAd> queue = new HashMap<>();
        boolean needQueue = jobs.stream().anyMatch(j -> !finished.containsKey(j.backendJobId()));
        if (needQueue) {
            for (JobAd ad : condorQ()) {
                ad.jobId().ifPresent(id -> queue.put(id, ad));
            }
        }
        List<JobHandle> gone = jobs.stream()
                .filter(j -> !finished.containsKey(j.backendJobId()) && !sameJob(queue.get(j.backendJobId()), j))
                .toList();
        Map<String, JobAd> history = gone.isEmpty() ? Map.of() : history(gone);
        Map<JobHandle, JobStatus> out = new LinkedHashMap<>();
        for (JobHandle job : jobs) {
            String id = job.backendJobId();
            JobStatus known = finished.get(id);
            if (known != null) {
                out.put(job, known);
                continue;
            }
            JobAd ad = queue.get(id);
            if (!sameJob(ad, job)) {
                ad = history.get(id);
            }
            if (!sameJob(ad, job)) {
                continue;
            }
            JobStates.Mapped mapped = JobStates.map(ad, now, settings.heldTimeout());
            JobStatus status = withContainers(job, ad, mapped.status());
            if (mapped.removeBecause().isPresent()) {
                LOG.warn("pod {}: job {} {}; removing it", job.identity().podDisplayName(), id, mapped.removeBecause().get());
                try {
                    remove(id, mapped.removeBecause().get());
                } catch (BackendException e) {
                    LOG.warn("pod {}: cannot remove held job {}: {}", job.identity().podDisplayName(), id, e.getMessage());
                }
            }
            if (status.isTerminal()) {
                finished.put(id, status);
            }
            out.put(job, status);
        }
        return out;
    }

    private boolean sameJob(JobAd ad, JobHandle job) {
        // a schedd whose spool was wiped starts again at cluster 1: the id alone is not enough
        return ad != null && ad.string(JobAttributes.POD_UID).map(job.identity().podUid()::equals).orElse(false);
    }

    private JobStatus withContainers(JobHandle job, JobAd ad, JobStatus status) {
        List<String> mains = JobAttributes.names(ad, JobAttributes.CONTAINERS);
        List<String> inits = JobAttributes.names(ad, JobAttributes.INIT_CONTAINERS);
        List<ContainerStatusInfo> init;
        List<ContainerStatusInfo> main;
        if (ad.bool(JobAttributes.LAUNCHER).orElse(false)) {
            String podDir = SubmitDescription.podDirectory(settings, job.identity());
            Map<String, String> started = new HashMap<>();
            Map<String, String> exited = new HashMap<>();
            if (status.phase() != JobStatus.JobPhase.PENDING) {
                for (String name : concat(inits, mains)) {
                    if (DNS_LABEL.matcher(name).matches()) {
                        directories.readSmall(podDir, "state/" + name + ".started").ifPresent(s -> started.put(name, s));
                        directories.readSmall(podDir, "state/" + name + ".exit").ifPresent(s -> exited.put(name, s));
                    }
                }
            }
            init = ContainerStates.fromFiles(inits, started, exited, status);
            main = ContainerStates.fromFiles(mains, started, exited, status);
        } else {
            init = List.of();
            main = mains.stream().map(name -> ContainerStates.direct(name, status)).toList();
        }
        return new JobStatus(status.phase(), status.reason(), status.message(), status.exitCode(), status.signal(), status.startedAt(),
                status.finishedAt(), init, main);
    }

    private List<JobAd> condorQ() throws BackendException {
        List<String> argv = new ArrayList<>();
        argv.add(settings.commands().condorQ());
        argv.addAll(settings.scheddOptions());
        argv.addAll(List.of("-json", "-attributes", JobAttributes.queryList(), "-constraint", JobAttributes.siteConstraint(site)));
        CommandResult result = runner.run(argv);
        if (!result.ok()) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "condor_q failed: " + errorLines(result));
        }
        return parse(result);
    }

    /** The history records of {@code jobs}, by job id; stops reading once all are found. */
    private Map<String, JobAd> history(List<JobHandle> jobs) throws BackendException {
        List<String> ids = jobs.stream().map(JobHandle::backendJobId).distinct().sorted().toList();
        StringBuilder constraint = new StringBuilder(JobAttributes.siteConstraint(site)).append(" && (");
        for (int i = 0; i < ids.size(); i++) {
            String[] p = ids.get(i).split("\\.");
            constraint.append(i == 0 ? "" : " || ").append("(ClusterId == ").append(Long.parseLong(p[0])).append(" && ProcId == ")
                    .append(Long.parseLong(p[1])).append(')');
        }
        constraint.append(')');
        Map<String, JobAd> out = new HashMap<>();
        for (JobAd ad : condorHistory(constraint.toString(), List.of("-limit", Integer.toString(ids.size())))) {
            // the newest record wins (a job id is listed once, unless the schedd's spool was reset)
            ad.jobId().ifPresent(id -> out.putIfAbsent(id, ad));
        }
        return out;
    }

    private List<JobAd> condorHistory(String constraint, List<String> options) throws BackendException {
        List<String> argv = new ArrayList<>();
        argv.add(settings.commands().condorHistory());
        argv.addAll(settings.scheddOptions());
        argv.addAll(List.of("-json", "-attributes", JobAttributes.queryList(), "-constraint", constraint));
        argv.addAll(options);
        CommandResult result = runner.run(argv);
        if (!result.ok()) {
            String err = errorLines(result);
            if (isTransient(err)) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "condor_history failed: " + err);
            }
            LOG.warn("condor_history failed: {}", err);
            return List.of();
        }
        return parse(result);
    }

    private static List<JobAd> parse(CommandResult result) throws BackendException {
        try {
            return JobAd.parseAll(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Reason.FAILED, result.argv().get(0) + " printed something unexpected: "
                    + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ owned jobs

    @Override
    public List<JobHandle> listOwned() throws BackendException {
        Instant now = clock.instant();
        Map<String, JobHandle> owned = new LinkedHashMap<>();
        for (JobAd ad : condorQ()) {
            handle(ad).ifPresent(h -> owned.put(h.backendJobId(), h));
        }
        Instant since = historyScannedAt == null ? now.minus(settings.historyLookback()) : historyScannedAt.minusSeconds(60);
        for (JobAd ad : condorHistory(JobAttributes.siteConstraint(site), List.of("-since", "EnteredCurrentStatus < "
                + since.getEpochSecond()))) {
            Instant left = ad.time("EnteredCurrentStatus").orElse(now);
            handle(ad).ifPresent(h -> leftQueue.put(h.backendJobId(), new OwnedJob(h, left)));
        }
        historyScannedAt = now;
        Instant horizon = now.minus(settings.historyLookback());
        leftQueue.values().removeIf(j -> j.left().isBefore(horizon));
        leftQueue.values().stream().sorted(Comparator.comparing(OwnedJob::left))
                .forEach(j -> owned.putIfAbsent(j.handle().backendJobId(), j.handle()));
        return List.copyOf(owned.values());
    }

    private Optional<JobHandle> handle(JobAd ad) {
        Optional<String> id = ad.jobId();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return JobAttributes.identity(ad, site).map(identity -> new JobHandle(identity, id.get()));
    }

    // ------------------------------------------------------------------------------------------ logs

    @Override
    public byte[] readLog(JobHandle job, String container, LogStreamKind stream, long offset, int maxBytes) throws BackendException {
        if (!DNS_LABEL.matcher(container).matches()) {
            throw BackendException.rejected("InvalidPod", "container name '" + container + "' is not a DNS label");
        }
        String podDir = SubmitDescription.podDirectory(settings, job.identity());
        String file = "logs/" + container + (stream == LogStreamKind.STDOUT ? ".stdout" : ".stderr");
        try {
            return directories.read(podDir, file, offset, maxBytes);
        } catch (IOException e) {
            throw new BackendException(BackendException.Reason.FAILED, "cannot read " + directories.local(podDir).resolve(file) + ": "
                    + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ pools

    @Override
    public List<PoolInfo> discoverPools() throws BackendException {
        List<PoolInfo> pools = new ArrayList<>();
        for (HtcondorSettings.Pool pool : settings.pools()) {
            List<String> argv = new ArrayList<>();
            argv.add(settings.commands().condorStatus());
            if (settings.collector() != null) {
                argv.add("-pool");
                argv.add(settings.collector());
            }
            argv.addAll(List.of("-json", "-attributes", SlotPools.queryList()));
            if (!pool.constraint().isEmpty()) {
                argv.add("-constraint");
                argv.add(pool.constraint());
            }
            CommandResult result = runner.run(argv);
            if (!result.ok()) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "condor_status failed: " + errorLines(result));
            }
            pools.add(SlotPools.pool(pool.name(), parse(result)));
        }
        return pools;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static boolean isTransient(String err) {
        return TRANSIENT.stream().anyMatch(err::contains);
    }

    /** The command's error output as one line per message. */
    private static String errorLines(CommandResult result) {
        String err = result.stderr().strip();
        if (err.isEmpty()) {
            err = result.stdout().strip();
        }
        if (err.isEmpty()) {
            return result.argv().get(0) + " exited " + result.exitCode();
        }
        return String.join("; ", err.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > KEEP_FINISHED;
            }
        };
    }
}
