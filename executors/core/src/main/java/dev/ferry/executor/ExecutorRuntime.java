package dev.ferry.executor;

import dev.ferry.events.CommandType;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogChunk;
import dev.ferry.events.LogStream;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.executor.JobFeed.Incoming;
import dev.ferry.executor.JobFeed.Position;
import dev.ferry.executor.config.ExecutorSettings;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.model.LogBudget;
import dev.ferry.executor.model.StatusSequencer;
import dev.ferry.executor.model.Unsealer;
import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.schema.AvroModels;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The executor loop for one site: consumes {@code jobs.<site>}, submits and cancels through the
 * {@link Backend}, polls all tracked jobs with one backend call per interval, publishes a
 * {@code PodStatusEvent} whenever a pod's state changes, ships container output as
 * {@code LogChunk}s, and advertises the site's pools. Runs on the thread that calls {@link #run()};
 * {@link #stop()} (from any thread, e.g. a SIGTERM handler) makes it finish the batch in hand,
 * flush, commit and return.
 *
 * <h2>Nothing lost, nothing run twice</h2>
 * The backend call cannot join a Kafka transaction, so the runtime makes submission idempotent:
 * <ol>
 *   <li>On start it reads back this site's last status per pod ({@link StatusHistory}) and asks
 *       the backend for every job it owns ({@link Backend#listOwned()}); jobs that have not yet
 *       been reported as finished are tracked again, including jobs that finished while no
 *       executor ran, and jobs the controller already forgot (found by their backend id in the
 *       last status; the backend's poll falls back to its accounting).</li>
 *   <li>Before each batch of RUN commands it lists the backend's jobs again and adopts a job
 *       whose pod UID and attempt match instead of submitting.</li>
 *   <li>A command's offset is committed only after its submission returned and its status event
 *       was acknowledged. A crash in between replays the command, which step 2 turns into an
 *       adoption.</li>
 * </ol>
 * Status sequences come from {@link StatusSequencer} (clock-seeded, and never below what was read
 * back), so events after a restart always order after the ones before it.
 */
public final class ExecutorRuntime implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorRuntime.class);

    static {
        // the runtime compares status events, which hold optional timestamps inside lists
        AvroModels.registerLogicalTypes();
    }

    /**
     * Test hook: when set (a duration such as {@code 60s}), the runtime pauses this long right
     * after a successful submission, before publishing or committing, so a test can kill the
     * process in exactly that window. {@link #PAUSE_MARKER_PROPERTY} names a file created when
     * the pause begins.
     */
    public static final String PAUSE_AFTER_SUBMIT_PROPERTY = "ferry.executor.test.pause-after-submit";
    /** Test hook: a file the runtime creates when it begins the pause after a submission. */
    public static final String PAUSE_MARKER_PROPERTY = "ferry.executor.test.pause-marker";

    private final String site;
    private final String executorId;
    private final ExecutorSettings settings;
    private final SiteConfig.PoolSettings poolSettings;
    private final Backend backend;
    private final JobFeed feed;
    private final EventSink sink;
    private final StatusHistory history;
    private final Unsealer unsealer;
    private final Clock clock;
    private final StatusSequencer sequencer;
    private final LogBudget logBudget;

    private final Map<String, Tracked> tracked = new LinkedHashMap<>();
    /**
     * Pods whose final status is on the topic, by UID, with the attempt: never submitted again. Bounded:
     * only replays of uncommitted (so recent) commands consult it.
     */
    private final Map<String, Integer> finished = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > 200_000;
        }
    };
    private final Map<String, PoolAdvert> lastAdverts = new LinkedHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object sleeper = new Object();

    private Instant nextPoll = Instant.MIN;
    private Instant nextLogs = Instant.MIN;
    private Instant nextPoolCheck = Instant.MIN;
    private Instant lastPoolPublish = Instant.MIN;
    private Instant backendRetryAt = Instant.MIN;
    private String backendDown;
    private long pollCycles;
    private volatile RuntimeException failure;

    public ExecutorRuntime(String site, String executorId, ExecutorSettings settings, SiteConfig.PoolSettings poolSettings,
                           Backend backend, JobFeed feed, EventSink sink, StatusHistory history, Unsealer unsealer, Clock clock) {
        this.site = Objects.requireNonNull(site, "site");
        this.executorId = Objects.requireNonNull(executorId, "executorId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.poolSettings = Objects.requireNonNull(poolSettings, "poolSettings");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.feed = Objects.requireNonNull(feed, "feed");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.history = Objects.requireNonNull(history, "history");
        this.unsealer = Objects.requireNonNull(unsealer, "unsealer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sequencer = new StatusSequencer(clock);
        this.logBudget = new LogBudget(clock, settings.logs().bytesPerSecond());
    }

    /** Recovers, then loops until {@link #stop()}; closes nothing it was given. */
    @Override
    public void run() {
        try {
            recover();
            started.countDown();
            while (!stopping.get()) {
                step();
            }
            sink.flush();
            LOG.info("executor for site {} stopped: {} pods still tracked (they keep running in the backend)", site, tracked.size());
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("executor for site {} failed", site, e);
            throw e;
        } finally {
            started.countDown();
            stopped.countDown();
        }
    }

    /** Asks the loop to finish the batch in hand and return. */
    public void stop() {
        stopping.set(true);
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    /** Waits until the loop has returned. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until recovery is done and commands are being consumed. */
    public boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What made the loop fail, if it did. */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    /** How many poll cycles ran (each one backend poll call); for benchmarks. */
    public long pollCycles() {
        return pollCycles;
    }

    /** How many pods are tracked now. */
    public int trackedCount() {
        return tracked.size();
    }

    // ------------------------------------------------------------------------------------- recovery

    void recover() {
        Instant since = clock.instant().minus(settings.recoveryLookback());
        Map<String, PodStatusEvent> last = history.lastBySite(site, since);
        last.forEach((uid, event) -> {
            sequencer.observe(uid, event.getSequence());
            if (StatusEvents.isTerminal(event)) {
                finished.put(uid, event.getAttempt());
            }
        });
        List<JobHandle> owned = listOwnedWithRetry();
        for (JobHandle handle : owned) {
            JobIdentity id = handle.identity();
            PodStatusEvent previous = last.get(id.podUid());
            if (previous != null && previous.getAttempt() > id.attempt()) {
                continue;
            }
            if (previous != null && previous.getAttempt() == id.attempt() && StatusEvents.isTerminal(previous)) {
                continue;
            }
            Tracked t = track(handle, podRef(id), List.of(), List.of());
            if (previous != null && previous.getAttempt() == id.attempt()) {
                t.lastPublished = StatusEvents.fingerprint(previous);
            }
            LOG.info("recovered {} job {} of pod {} (attempt {})", backend.type(), handle.backendJobId(), id.podDisplayName(), id.attempt());
        }
        // pods reported as in flight whose job the backend no longer lists (it finished and was forgotten)
        last.forEach((uid, event) -> {
            if (tracked.containsKey(uid) || StatusEvents.isTerminal(event) || event.getBackendJobId() == null) {
                return;
            }
            try {
                JobIdentity id = new JobIdentity(site, uid, event.getPod().getNamespace(), event.getPod().getName(),
                        event.getAttempt(), Intents.poolName(site, event.getPoolId() == null ? "unknown" : event.getPoolId()));
                Tracked t = track(new JobHandle(id, event.getBackendJobId()), event.getPod(), names(event.getInitContainers()),
                        names(event.getContainers()));
                t.lastPublished = StatusEvents.fingerprint(event);
                LOG.info("recovered pod {} from its last status ({}), job {}", id.podDisplayName(), event.getPhase(), event.getBackendJobId());
            } catch (IllegalArgumentException e) {
                LOG.warn("cannot recover pod {} from its last status: {}", uid, e.getMessage());
            }
        });
        LOG.info("executor for site {} ({} backend) recovered: {} pods in flight, {} finished pods in the last {}",
                site, backend.type(), tracked.size(), finished.size(), settings.recoveryLookback());
    }

    private List<JobHandle> listOwnedWithRetry() {
        while (!stopping.get()) {
            try {
                List<JobHandle> owned = backend.listOwned();
                backendUp();
                return owned;
            } catch (BackendException e) {
                backendFailed(e);
                sleep(settings.retryBackoff());
            }
        }
        return List.of();
    }

    // ------------------------------------------------------------------------------------- the loop

    void step() {
        Instant now = clock.instant();
        Duration wait = Duration.between(now, earliest(nextPoll, nextLogs, nextPoolCheck));
        if (wait.isNegative()) {
            wait = Duration.ZERO;
        }
        List<Incoming> batch = feed.poll(min(wait, settings.pollInterval()));
        if (!batch.isEmpty()) {
            handleBatch(batch);
        }
        now = clock.instant();
        if (!now.isBefore(nextPoll)) {
            nextPoll = now.plus(settings.pollInterval());
            pollStatuses();
        }
        now = clock.instant();
        if (!now.isBefore(nextLogs)) {
            nextLogs = now.plus(settings.logs().interval());
            shipLogs();
        }
        now = clock.instant();
        if (!now.isBefore(nextPoolCheck)) {
            nextPoolCheck = now.plus(poolCheckInterval());
            advertisePools();
        }
        sink.flush();
    }

    private Duration poolCheckInterval() {
        Duration fiveSeconds = Duration.ofSeconds(5);
        return settings.poolInterval().compareTo(fiveSeconds) < 0 ? settings.poolInterval() : fiveSeconds;
    }

    void handleBatch(List<Incoming> batch) {
        Map<String, JobHandle> owned = null;
        boolean hasRun = batch.stream().anyMatch(i -> i.command().getType() == CommandType.RUN);
        Set<String> rewound = new HashSet<>();
        List<Position> done = new ArrayList<>();
        if (hasRun) {
            try {
                owned = ownedByAttempt(backend.listOwned());
                backendUp();
            } catch (BackendException e) {
                backendFailed(e);
                rewindAll(batch);
                sleep(settings.retryBackoff());
                return;
            }
        }
        for (Incoming incoming : batch) {
            String partitionKey = incoming.position().topic() + "-" + incoming.position().partition();
            if (rewound.contains(partitionKey)) {
                continue;
            }
            boolean ok = handle(incoming.command(), owned);
            if (ok) {
                done.add(incoming.position());
            } else {
                feed.rewind(incoming.position());
                rewound.add(partitionKey);
            }
        }
        // statuses of what was submitted must be stored before the offsets move past the commands
        sink.flush();
        if (!done.isEmpty()) {
            feed.commit(done);
        }
        if (!rewound.isEmpty()) {
            sleep(settings.retryBackoff());
        }
    }

    private void rewindAll(List<Incoming> batch) {
        Set<String> seen = new HashSet<>();
        for (Incoming incoming : batch) {
            if (seen.add(incoming.position().topic() + "-" + incoming.position().partition())) {
                feed.rewind(incoming.position());
            }
        }
    }

    /** Handles one command; false when it must be retried later (backend unreachable). */
    private boolean handle(JobCommand command, Map<String, JobHandle> owned) {
        PodRef pod = command.getPod();
        try (MDC.MDCCloseable a = MDC.putCloseable("pod", pod.getNamespace() + "/" + pod.getName());
             MDC.MDCCloseable b = MDC.putCloseable("podUid", pod.getUid());
             MDC.MDCCloseable c = MDC.putCloseable("site", site)) {
            if (!site.equals(command.getSite())) {
                LOG.warn("ignoring {} command {} for site '{}' on the topic of site '{}'", command.getType(), command.getCommandId(),
                        command.getSite(), site);
                return true;
            }
            return switch (command.getType()) {
                case RUN -> run(command, owned);
                case CANCEL -> cancel(command, owned);
                default -> {
                    LOG.warn("ignoring command {} of unknown type {}", command.getCommandId(), command.getType());
                    yield true;
                }
            };
        }
    }

    private boolean run(JobCommand command, Map<String, JobHandle> owned) {
        String uid = command.getPod().getUid();
        int attempt = command.getAttempt();
        Tracked current = tracked.get(uid);
        if (current != null && current.handle.identity().attempt() >= attempt) {
            LOG.info("RUN {} for attempt {}: already tracking job {} (attempt {})", command.getCommandId(), attempt,
                    current.handle.backendJobId(), current.handle.identity().attempt());
            return true;
        }
        Integer finishedAttempt = finished.get(uid);
        if (finishedAttempt != null && finishedAttempt >= attempt) {
            LOG.info("RUN {} for attempt {}: already finished and reported", command.getCommandId(), attempt);
            return true;
        }
        JobIdentity identity;
        PodJob podJob;
        try {
            identity = Intents.identity(site, command);
            podJob = Intents.podJob(command, unsealer);
        } catch (InvalidPodException e) {
            failPod(command, e.reason(), e.getMessage());
            return true;
        }
        List<String> initNames = podJob.initContainers().stream().map(PodJob.ContainerSpec::name).toList();
        List<String> names = podJob.containers().stream().map(PodJob.ContainerSpec::name).toList();
        JobHandle existing = owned == null ? null : owned.get(uid + "#" + attempt);
        if (existing != null) {
            Tracked t = track(existing, command.getPod(), initNames, names);
            LOG.info("adopted {} job {} submitted before (no second submission)", backend.type(), existing.backendJobId());
            if (current != null) {
                cancelQuietly(current);
            }
            t.poolId = command.getPoolId();
            return true;
        }
        JobHandle handle;
        try {
            handle = backend.submit(new JobRequest(identity, podJob));
            backendUp();
        } catch (BackendException e) {
            if (e.reason() == BackendException.Reason.REJECTED) {
                failPod(command, e.podReason(), e.getMessage());
                return true;
            }
            backendFailed(e);
            return false;
        }
        pauseAfterSubmitForTests(handle);
        if (current != null) {
            cancelQuietly(current);
        }
        Tracked t = track(handle, command.getPod(), initNames, names);
        t.poolId = command.getPoolId();
        LOG.info("submitted {} job {} for attempt {}", backend.type(), handle.backendJobId(), attempt);
        publishIfChanged(t, JobStatus.of(JobStatus.JobPhase.PENDING, "Submitted",
                "submitted to " + backend.type() + " as job " + handle.backendJobId()));
        if (owned != null) {
            owned.put(uid + "#" + attempt, handle);
        }
        return true;
    }

    private boolean cancel(JobCommand command, Map<String, JobHandle> owned) {
        String uid = command.getPod().getUid();
        Tracked t = tracked.get(uid);
        if (t == null && owned != null) {
            JobHandle handle = owned.values().stream().filter(h -> h.identity().podUid().equals(uid))
                    .max(java.util.Comparator.comparingInt(h -> h.identity().attempt())).orElse(null);
            if (handle != null) {
                t = track(handle, command.getPod(), List.of(), List.of());
            }
        }
        if (t == null) {
            if (!finished.containsKey(uid)) {
                String reason = command.getReason() == null ? "" : " (" + command.getReason() + ")";
                failPod(command, "Cancelled", "cancelled before it was submitted" + reason);
            }
            return true;
        }
        if (t.terminal) {
            return true;
        }
        try {
            backend.cancel(t.handle);
            backendUp();
            t.cancelRequested = true;
            LOG.info("cancelled {} job {}", backend.type(), t.handle.backendJobId());
            return true;
        } catch (BackendException e) {
            if (e.reason() == BackendException.Reason.REJECTED) {
                LOG.warn("cancel of job {} refused: {}", t.handle.backendJobId(), e.getMessage());
                return true;
            }
            backendFailed(e);
            return false;
        }
    }

    private void cancelQuietly(Tracked old) {
        try {
            backend.cancel(old.handle);
        } catch (BackendException e) {
            LOG.warn("cannot cancel job {} of an older attempt: {}", old.handle.backendJobId(), e.getMessage());
        }
        tracked.remove(old.handle.identity().podUid());
    }

    private void failPod(JobCommand command, String reason, String message) {
        LOG.warn("pod fails without a job: {}: {}", reason, message);
        PodStatusEvent event = StatusEvents.build(site, command.getPoolId(), command.getPod(), command.getAttempt(), Optional.empty(),
                JobStatus.of(JobStatus.JobPhase.FAILED, reason, message), List.of(), List.of(),
                sequencer.next(command.getPod().getUid()), clock.instant());
        sink.status(event);
        finished.put(command.getPod().getUid(), command.getAttempt());
    }

    // ------------------------------------------------------------------------------------- polling

    void pollStatuses() {
        List<JobHandle> handles = new ArrayList<>();
        for (Tracked t : tracked.values()) {
            if (!t.terminal) {
                handles.add(t.handle);
            }
        }
        if (handles.isEmpty()) {
            return;
        }
        if (backendDown != null && clock.instant().isBefore(backendRetryAt)) {
            return;
        }
        Map<JobHandle, JobStatus> statuses;
        try {
            pollCycles++;
            statuses = backend.poll(handles);
            backendUp();
        } catch (BackendException e) {
            backendFailed(e);
            return;
        }
        Instant now = clock.instant();
        for (JobHandle handle : handles) {
            Tracked t = tracked.get(handle.identity().podUid());
            JobStatus status = statuses.get(handle);
            if (status == null) {
                if (t.missingSince == null) {
                    t.missingSince = now;
                } else if (Duration.between(t.missingSince, now).compareTo(settings.lostAfter()) >= 0) {
                    publishIfChanged(t, JobStatus.of(JobStatus.JobPhase.FAILED, "Lost",
                            backend.type() + " has no record of job " + handle.backendJobId() + " for " + settings.lostAfter()
                                    + " (purged from its accounting, or removed by an administrator)"));
                }
                continue;
            }
            t.missingSince = null;
            publishIfChanged(t, status);
        }
    }

    private void publishIfChanged(Tracked t, JobStatus status) {
        JobIdentity id = t.handle.identity();
        t.lastStatus = status;
        if (!status.containers().isEmpty()) {
            t.containerNames = status.containers().stream().map(ContainerStatusInfo::name).toList();
        }
        if (!status.initContainers().isEmpty()) {
            t.initNames = status.initContainers().stream().map(ContainerStatusInfo::name).toList();
        }
        PodStatusEvent candidate = StatusEvents.build(site, t.poolId, t.pod, id.attempt(), Optional.of(t.handle.backendJobId()), status,
                t.initNames, t.containerNames, 0, clock.instant());
        PodStatusEvent fingerprint = StatusEvents.fingerprint(candidate);
        if (fingerprint.equals(t.lastPublished)) {
            if (status.isTerminal()) {
                t.terminal = true;
            }
            return;
        }
        PodStatusEvent event = PodStatusEvent.newBuilder(candidate).setSequence(sequencer.next(id.podUid())).build();
        try (MDC.MDCCloseable a = MDC.putCloseable("pod", id.podDisplayName());
             MDC.MDCCloseable b = MDC.putCloseable("podUid", id.podUid());
             MDC.MDCCloseable c = MDC.putCloseable("site", site)) {
            LOG.info("pod {} is {} ({}{})", id.podDisplayName(), event.getPhase(), status.reason(),
                    status.message().isEmpty() ? "" : ": " + status.message());
        }
        sink.status(event);
        t.lastPublished = fingerprint;
        if (status.isTerminal()) {
            t.terminal = true;
            finished.put(id.podUid(), id.attempt());
        }
    }

    // ------------------------------------------------------------------------------------- logs

    void shipLogs() {
        int chunkBytes = settings.logs().chunkBytes();
        List<String> done = new ArrayList<>();
        for (Tracked t : tracked.values()) {
            if (t.lastStatus == null || t.lastStatus.phase() == JobStatus.JobPhase.PENDING && !t.terminal) {
                continue;
            }
            boolean terminal = t.terminal;
            boolean allEof = true;
            List<String> containers = new ArrayList<>(t.initNames);
            containers.addAll(t.containerNames);
            for (String container : containers) {
                for (LogStreamKind stream : LogStreamKind.values()) {
                    StreamState s = t.streams.computeIfAbsent(container + "/" + stream, k -> new StreamState());
                    if (s.eof) {
                        continue;
                    }
                    long budget = logBudget.available();
                    if (budget <= 0) {
                        allEof = false;
                        continue;
                    }
                    byte[] data;
                    try {
                        data = backend.readLog(t.handle, container, stream, s.offset, (int) Math.min(chunkBytes, budget));
                    } catch (BackendException e) {
                        LOG.debug("cannot read {} of {} in job {}: {}", stream, container, t.handle.backendJobId(), e.getMessage());
                        allEof = false;
                        continue;
                    }
                    if (data.length > 0) {
                        sink.log(chunk(t, container, stream, s.offset, data, false));
                        s.offset += data.length;
                        logBudget.take(data.length);
                        allEof = false;
                    } else if (terminal) {
                        sink.log(chunk(t, container, stream, s.offset, data, true));
                        s.eof = true;
                    } else {
                        allEof = false;
                    }
                }
            }
            if (terminal && allEof) {
                done.add(t.handle.identity().podUid());
            }
        }
        for (String uid : done) {
            tracked.remove(uid);
            sequencer.forget(uid);
        }
    }

    private LogChunk chunk(Tracked t, String container, LogStreamKind stream, long offset, byte[] data, boolean eof) {
        return LogChunk.newBuilder()
                .setPod(t.pod)
                .setContainer(container)
                .setStream(stream == LogStreamKind.STDOUT ? LogStream.STDOUT : LogStream.STDERR)
                .setAttempt(t.handle.identity().attempt())
                .setOffset(offset)
                .setData(ByteBuffer.wrap(data))
                .setAt(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .setEof(eof)
                .build();
    }

    // ------------------------------------------------------------------------------------- pools

    void advertisePools() {
        Instant now = clock.instant();
        boolean heartbeatDue = Duration.between(lastPoolPublish, now).compareTo(settings.poolInterval()) >= 0
                || lastPoolPublish.equals(Instant.MIN);
        List<PoolAdvert> adverts = new ArrayList<>();
        if (backendDown == null) {
            try {
                List<PoolInfo> pools = backend.discoverPools();
                for (PoolInfo pool : pools) {
                    adverts.add(PoolAdverts.build(site, backend.type(), executorId, pool, poolSettings,
                            settings.poolHeartbeatTtl(), now, null));
                }
            } catch (BackendException e) {
                backendFailed(e);
            }
        }
        if (backendDown != null) {
            adverts.clear();
            for (PoolAdvert last : lastAdverts.values()) {
                adverts.add(PoolAdvert.newBuilder(last).setState(dev.ferry.events.PoolState.DOWN).setAllocatable(Map.of())
                        .setMessage("backend unreachable: " + backendDown).setHeartbeatAt(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                        .build());
            }
        }
        boolean changed = adverts.size() != lastAdverts.size() || adverts.stream().anyMatch(a -> {
            PoolAdvert last = lastAdverts.get(a.getPoolId());
            return last == null || !PoolAdverts.fingerprint(last).equals(PoolAdverts.fingerprint(a));
        });
        if (!changed && !heartbeatDue) {
            return;
        }
        for (PoolAdvert advert : adverts) {
            sink.pool(advert);
            lastAdverts.put(advert.getPoolId(), advert);
        }
        lastPoolPublish = now;
    }

    // ------------------------------------------------------------------------------------- helpers

    private void backendUp() {
        if (backendDown != null) {
            LOG.info("{} backend of site {} is reachable again", backend.type(), site);
            backendDown = null;
            nextPoolCheck = Instant.MIN;
        }
    }

    private void backendFailed(BackendException e) {
        boolean first = backendDown == null;
        backendDown = e.getMessage();
        backendRetryAt = clock.instant().plus(settings.retryBackoff());
        if (first) {
            LOG.warn("{} backend of site {} failed ({}): {}; pools are advertised DOWN until it answers", backend.type(), site,
                    e.reason(), e.getMessage());
            nextPoolCheck = Instant.MIN;
        }
    }

    private Tracked track(JobHandle handle, PodRef pod, List<String> initNames, List<String> names) {
        Tracked t = new Tracked(handle, pod);
        t.initNames = initNames;
        t.containerNames = names;
        t.poolId = Intents.poolId(site, handle.identity().pool());
        tracked.put(handle.identity().podUid(), t);
        return t;
    }

    private static Map<String, JobHandle> ownedByAttempt(List<JobHandle> handles) {
        Map<String, JobHandle> map = new HashMap<>();
        handles.forEach(h -> map.put(h.identity().podUid() + "#" + h.identity().attempt(), h));
        return map;
    }

    private PodRef podRef(JobIdentity id) {
        return PodRef.newBuilder().setNamespace(id.namespace()).setName(id.podName()).setUid(id.podUid()).build();
    }

    private static List<String> names(List<dev.ferry.events.ContainerStatus> statuses) {
        return statuses.stream().map(dev.ferry.events.ContainerStatus::getName).toList();
    }

    private void pauseAfterSubmitForTests(JobHandle handle) {
        String pause = System.getProperty(PAUSE_AFTER_SUBMIT_PROPERTY);
        if (pause == null || pause.isBlank()) {
            return;
        }
        Duration duration = dev.ferry.executor.config.ConfigSection.duration(PAUSE_AFTER_SUBMIT_PROPERTY, pause);
        LOG.warn("test hook: pausing {} after submitting job {} (before publishing and committing)", duration, handle.backendJobId());
        String marker = System.getProperty(PAUSE_MARKER_PROPERTY);
        if (marker != null) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(marker), handle.backendJobId());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sleep(Duration duration) {
        synchronized (sleeper) {
            if (stopping.get()) {
                return;
            }
            try {
                sleeper.wait(Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
            }
        }
    }

    private static Instant earliest(Instant a, Instant b, Instant c) {
        Instant min = a.isBefore(b) ? a : b;
        return min.isBefore(c) ? min : c;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** One pod the runtime follows until its final status and all its output are shipped. */
    private static final class Tracked {
        final JobHandle handle;
        final PodRef pod;
        String poolId;
        List<String> initNames = List.of();
        List<String> containerNames = List.of();
        PodStatusEvent lastPublished;
        JobStatus lastStatus;
        Instant missingSince;
        boolean cancelRequested;
        boolean terminal;
        final Map<String, StreamState> streams = new HashMap<>();

        Tracked(JobHandle handle, PodRef pod) {
            this.handle = handle;
            this.pod = pod;
        }
    }

    private static final class StreamState {
        long offset;
        boolean eof;
    }
}
