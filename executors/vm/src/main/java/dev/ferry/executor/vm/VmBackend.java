package dev.ferry.executor.vm;

import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import dev.ferry.executor.vm.local.LocalShell;
import dev.ferry.executor.vm.model.JobBundle;
import dev.ferry.executor.vm.model.JobLayout;
import dev.ferry.executor.vm.model.JobStates;
import dev.ferry.executor.vm.model.LogFrames;
import dev.ferry.executor.vm.model.Placement;
import dev.ferry.executor.vm.model.RemoteScripts;
import dev.ferry.executor.vm.model.Resources;
import dev.ferry.executor.vm.model.StatusReport;
import dev.ferry.executor.vm.provision.VmProvisioner;
import dev.ferry.executor.vm.ssh.ExecResult;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Pods on VMs reached over SSH, or on this machine as local processes (a host whose address is
 * {@code local}: the same scripts through {@link LocalShell}, no SSH). Each pod attempt is a
 * detached unit on one VM: a directory with a wrapper script started with {@code setsid}
 * ({@link JobBundle}), whose PID file, exit-code file
 * and per-container log files outlive the SSH session and the executor, so a restarted executor
 * finds every job again ({@link #listOwned()}) with its real state.
 *
 * <p>Round trips: {@link #poll} sends one status script per host that has polled jobs, whatever
 * their number; {@link #listOwned} and {@link #discoverPools} one per host; {@link #submit} and
 * {@link #cancel} one each (plus one per host of the pool when its size is not yet known);
 * {@link #readLog} none when the last poll showed no new output, else one per host for all the
 * streams of that host with new output.
 *
 * <p>A host that cannot be reached keeps its jobs in their last known state for
 * {@code hostLostAfter}, then they are reported Failed (HostLost). Listing jobs fails while a host
 * has never been listed by this process and cannot be reached: the runtime must not submit a pod
 * again that may already run there.
 *
 * <p>Every pool is advertised with the label {@value #TRANSPORT_LABEL}: {@code ssh}, or
 * {@code local} for the pool of this machine, whose pods run without isolation from the executor's
 * user unless its runtime is a container runtime.
 */
public final class VmBackend implements Backend {

    /** The pool label that says how the pool's hosts are reached: {@code ssh}, or {@code local} (this machine, no SSH). */
    public static final String TRANSPORT_LABEL = "ferry.dev/transport";

    private static final Logger LOG = LoggerFactory.getLogger(VmBackend.class);
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Duration FACTS_MAX_AGE = Duration.ofSeconds(60);
    /** Submit does not wait for the wrapper's PID file: a wrapper that never starts fails the job after startTimeout. */
    private static final Duration START_WAIT = Duration.ZERO;
    private static final int LOG_FETCH_STREAMS = 64;
    private static final int LOG_FETCH_BYTES = 1 << 20;

    private final String site;
    private final VmSettings settings;
    private final SshClient ssh;
    private final LocalShell local;
    private final VmProvisioner provisioner;
    private final Clock clock;
    private final boolean closeClient;
    private final boolean ownsLocal;

    private final Map<String, HostState> hosts = new ConcurrentHashMap<>();
    private final Map<String, JobStatus> lastStatus = lru(50_000);
    private final Map<String, Long> logSizes = lru(200_000);
    private final Map<String, LogFrames.Frame> prefetched = lru(4_096);
    private final Map<String, Long> nextLogOffset = lru(200_000);

    /**
     * A backend whose local host, if any, runs scripts with {@link LocalShell#forThisUser()} (closed with the backend).
     *
     * @param ssh         the SSH connections
     * @param closeClient whether {@link #close()} closes {@code ssh}
     */
    public VmBackend(String site, VmSettings settings, SshClient ssh, VmProvisioner provisioner, Clock clock, boolean closeClient) {
        this(site, settings, ssh, null, provisioner, clock, closeClient);
    }

    /**
     * @param ssh         the SSH connections; null when the site has no remote hosts ({@link VmSettings#usesSsh()} false)
     * @param local       runs the scripts of the local host; null for {@link LocalShell#forThisUser()}, closed with the
     *                    backend
     * @param closeClient whether {@link #close()} closes {@code ssh} and a given {@code local}
     */
    public VmBackend(String site, VmSettings settings, SshClient ssh, LocalShell local, VmProvisioner provisioner, Clock clock,
                     boolean closeClient) {
        this.site = site;
        this.settings = settings;
        this.ssh = ssh;
        this.ownsLocal = local == null || closeClient;
        this.local = local != null ? local : LocalShell.forThisUser();
        this.provisioner = provisioner;
        this.clock = clock;
        this.closeClient = closeClient;
        for (PoolSettings pool : settings.pools()) {
            if (pool.isLocal()) {
                LOG.info("VM backend: pool {} of site {} runs pods as local processes on this machine ({}; user {}, no SSH)", pool.name(),
                        site, pool.runtime().equals("host") ? "no isolation" : "in " + pool.runtime() + " containers",
                        this.local.environment().get("USER"));
            }
        }
    }

    @Override
    public String type() {
        return "vm";
    }

    /** The settings in force. */
    public VmSettings settings() {
        return settings;
    }

    /** The SSH client, for counting round trips; null when the site has no remote hosts. */
    public SshClient ssh() {
        return ssh;
    }

    /** What runs the local host's scripts, for counting round trips. */
    public LocalShell local() {
        return local;
    }

    // ------------------------------------------------------------------------------------------ submit

    @Override
    public JobHandle submit(JobRequest request) throws BackendException {
        JobIdentity id = request.identity();
        PoolSettings pool = settings.pool(id.pool()).orElseThrow(() -> BackendException.rejected("UnknownPool", "pool '" + id.pool()
                + "' is not configured at site " + site + " (its pools: " + String.join(", ", settings.pools().stream()
                .map(PoolSettings::name).toList()) + ")"));
        // validate the pod before looking for a host, so a bad pod fails even when every host is down
        JobBundle.render(id, request.pod(), pool, "-", settings.stopGracePeriod());
        Resources need = Resources.of(request.pod());
        Map<String, HostSettings> poolHosts = hostsOf(pool);
        List<Placement.Candidate> candidates = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (HostSettings host : poolHosts.values()) {
            HostState state = state(host, pool);
            if (state.facts == null || Duration.between(state.factsAt, clock.instant()).compareTo(FACTS_MAX_AGE) > 0) {
                try {
                    refreshFacts(state);
                } catch (BackendException e) {
                    errors.add(e.getMessage());
                    continue;
                }
            }
            candidates.add(new Placement.Candidate(host.name(), state.facts.capacity(), state.used));
        }
        Placement.Choice choice = Placement.choose(candidates, need);
        if (choice.host().isEmpty()) {
            if (candidates.isEmpty()) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "no host of pool " + pool.name() + " can be reached"
                        + (errors.isEmpty() ? " (the pool has no hosts)" : ": " + String.join("; ", errors)));
            }
            throw BackendException.rejected("InsufficientResources", choice.reason() + " in pool " + pool.name()
                    + ": request less, or run it in a pool with bigger VMs");
        }
        HostState state = hosts.get(choice.host().get());
        if (!choice.reason().equals("fits")) {
            LOG.warn("pod {} goes to host {} of pool {}: {}", id.podDisplayName(), state.name, pool.name(), choice.reason());
        }
        JobBundle.Bundle bundle = JobBundle.render(id, request.pod(), pool, state.name, settings.stopGracePeriod());
        String dir = JobLayout.dirName(id);
        String script = RemoteScripts.submit(settings.workDir(), site, dir, bundle, START_WAIT);
        ExecResult result = run(state, script, "submit");
        String out = result.stdoutText();
        JobHandle handle = new JobHandle(id, JobLayout.jobId(state.name, id));
        if (out.contains("FERRY_STARTED") || out.contains("FERRY_EXISTS")) {
            if (out.contains("FERRY_EXISTS")) {
                LOG.info("pod {} attempt {} already has job {}: not started again", id.podDisplayName(), id.attempt(), handle.backendJobId());
            } else {
                state.used = state.used.plus(bundle.resources());
            }
            state.owned.put(handle.backendJobId(), handle);
            return handle;
        }
        if (out.contains("FERRY_NOT_STARTED")) {
            throw new BackendException(BackendException.Reason.FAILED, "the job's wrapper did not start on host " + state.name + ": "
                    + out.substring(out.indexOf("FERRY_NOT_STARTED") + "FERRY_NOT_STARTED".length()).strip());
        }
        throw new BackendException(BackendException.Reason.FAILED, "submitting to host " + state.name + " failed (exit "
                + result.exitCode() + "): " + (out + " " + result.stderr()).strip());
    }

    // ------------------------------------------------------------------------------------------ cancel

    @Override
    public void cancel(JobHandle job) throws BackendException {
        String host = JobLayout.hostOf(job.backendJobId());
        HostState state = knownHost(host);
        if (state == null) {
            LOG.warn("cannot cancel job {}: host {} is no longer configured", job.backendJobId(), host);
            return;
        }
        String script = RemoteScripts.cancel(settings.workDir(), site, List.of(JobLayout.dirOf(job.backendJobId())),
                settings.stopGracePeriod());
        ExecResult result = run(state, script, "cancel");
        LOG.debug("cancel of {}: {}", job.backendJobId(), result.stdoutText().strip());
    }

    // ------------------------------------------------------------------------------------------ poll

    @Override
    public Map<JobHandle, JobStatus> poll(Collection<JobHandle> jobs) throws BackendException {
        Map<String, List<JobHandle>> byHost = new LinkedHashMap<>();
        for (JobHandle job : jobs) {
            byHost.computeIfAbsent(JobLayout.hostOf(job.backendJobId()), k -> new ArrayList<>()).add(job);
        }
        Map<JobHandle, JobStatus> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<JobHandle>> e : byHost.entrySet()) {
            HostState state = knownHost(e.getKey());
            if (state == null) {
                continue;
            }
            List<String> dirs = e.getValue().stream().map(j -> JobLayout.dirOf(j.backendJobId())).filter(JobLayout::isDirName).distinct()
                    .toList();
            StatusReport report;
            try {
                report = status(state, RemoteScripts.Scope.JOBS, dirs);
            } catch (BackendException ex) {
                for (JobHandle job : e.getValue()) {
                    unreachableStatus(state, job).ifPresent(s -> out.put(job, s));
                }
                continue;
            }
            long now = report.now().orElse(clock.millis());
            for (JobHandle job : e.getValue()) {
                StatusReport.JobReport r = report.jobs().get(JobLayout.dirOf(job.backendJobId()));
                if (r == null) {
                    continue;
                }
                Optional<JobStatus> status = JobStates.map(r, state.name, settings.startTimeout(), now);
                status.ifPresent(s -> {
                    out.put(job, s);
                    lastStatus.put(job.backendJobId(), s);
                });
            }
        }
        return out;
    }

    private Optional<JobStatus> unreachableStatus(HostState state, JobHandle job) {
        JobStatus last = lastStatus.get(job.backendJobId());
        if (last != null && last.isTerminal()) {
            return Optional.of(last);
        }
        Instant since = state.unreachableSince == null ? clock.instant() : state.unreachableSince;
        if (Duration.between(since, clock.instant()).compareTo(settings.hostLostAfter()) >= 0) {
            return Optional.of(JobStatus.of(JobStatus.JobPhase.FAILED, "HostLost", "host " + state.name + " could not be reached for "
                    + settings.hostLostAfter().toMinutes() + " min (" + state.lastError + "); the VM may be gone"));
        }
        return Optional.ofNullable(last);
    }

    // ------------------------------------------------------------------------------------------ owned jobs

    @Override
    public List<JobHandle> listOwned() throws BackendException {
        List<JobHandle> owned = new ArrayList<>();
        for (PoolSettings pool : settings.pools()) {
            for (HostSettings host : hostsOf(pool).values()) {
                HostState state = state(host, pool);
                StatusReport report;
                try {
                    report = status(state, RemoteScripts.Scope.ALL, List.of());
                } catch (BackendException e) {
                    if (!state.listed) {
                        throw new BackendException(BackendException.Reason.UNAVAILABLE, "cannot list the jobs on host " + state.name
                                + ", so cannot rule out that a pod already runs there (remove the host from backend.vm.pools if it is gone for"
                                + " good): " + e.getMessage(), e);
                    }
                    owned.addAll(state.owned.values());
                    continue;
                }
                Map<String, JobHandle> now = new LinkedHashMap<>();
                for (StatusReport.JobReport r : report.jobs().values()) {
                    r.identity().filter(id -> id.site().equals(site)).ifPresent(id -> {
                        JobHandle handle = new JobHandle(id, JobLayout.jobId(state.name, id));
                        now.put(handle.backendJobId(), handle);
                    });
                }
                state.owned.clear();
                state.owned.putAll(now);
                state.listed = true;
                owned.addAll(now.values());
            }
        }
        return owned;
    }

    // ------------------------------------------------------------------------------------------ logs

    @Override
    public byte[] readLog(JobHandle job, String container, LogStreamKind stream, long offset, int maxBytes) throws BackendException {
        if (!DNS_LABEL.matcher(container).matches()) {
            throw BackendException.rejected("InvalidPod", "container name '" + container + "' is not a DNS label");
        }
        String jobId = job.backendJobId();
        String dir = JobLayout.dirOf(jobId);
        if (!JobLayout.isDirName(dir) || maxBytes <= 0) {
            return new byte[0];
        }
        String kind = stream == LogStreamKind.STDOUT ? "stdout" : "stderr";
        String key = jobId + "/" + container + "/" + kind;
        LogFrames.Frame ready = prefetched.remove(key);
        if (ready != null && ready.offset() == offset && ready.data().length > 0) {
            return deliver(key, ready, offset, maxBytes);
        }
        Long size = logSizes.get(key);
        if (size != null && offset >= size) {
            return new byte[0];
        }
        HostState state = knownHost(JobLayout.hostOf(jobId));
        if (state == null) {
            return new byte[0];
        }
        List<RemoteScripts.LogRequest> requests = new ArrayList<>();
        requests.add(new RemoteScripts.LogRequest(dir, container, kind, offset, maxBytes));
        long budget = LOG_FETCH_BYTES - maxBytes;
        String prefix = state.name + "/";
        synchronized (logSizes) {
            for (Map.Entry<String, Long> e : logSizes.entrySet()) {
                if (requests.size() >= LOG_FETCH_STREAMS || budget <= 0) {
                    break;
                }
                String other = e.getKey();
                if (other.equals(key) || !other.startsWith(prefix) || prefetched.containsKey(other)) {
                    continue;
                }
                long from = nextLogOffset.getOrDefault(other, 0L);
                long pending = e.getValue() - from;
                if (pending <= 0) {
                    continue;
                }
                String[] parts = other.split("/");
                if (parts.length != 4) {
                    continue;
                }
                int n = (int) Math.min(Math.min(pending, maxBytes), budget);
                requests.add(new RemoteScripts.LogRequest(parts[1], parts[2], parts[3], from, n));
                budget -= n;
            }
        }
        ExecResult result = run(state, RemoteScripts.logs(settings.workDir(), site, requests), "logs");
        List<LogFrames.Frame> frames;
        try {
            frames = LogFrames.parse(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Reason.FAILED, "cannot read logs from host " + state.name + ": " + e.getMessage(), e);
        }
        byte[] mine = new byte[0];
        for (LogFrames.Frame f : frames) {
            String k = state.name + "/" + f.key();
            if (k.equals(key)) {
                mine = f.data();
            } else if (f.data().length > 0) {
                prefetched.put(k, f);
            }
        }
        nextLogOffset.put(key, offset + mine.length);
        return mine;
    }

    private byte[] deliver(String key, LogFrames.Frame frame, long offset, int maxBytes) {
        byte[] data = frame.data();
        if (data.length <= maxBytes) {
            nextLogOffset.put(key, offset + data.length);
            return data;
        }
        byte[] head = Arrays.copyOf(data, maxBytes);
        prefetched.put(key, new LogFrames.Frame(frame.dir(), frame.container(), frame.stream(), offset + maxBytes,
                Arrays.copyOfRange(data, maxBytes, data.length)));
        nextLogOffset.put(key, offset + maxBytes);
        return head;
    }

    // ------------------------------------------------------------------------------------------ pools

    @Override
    public List<PoolInfo> discoverPools() throws BackendException {
        List<PoolInfo> pools = new ArrayList<>();
        int hostsSeen = 0;
        int reachable = 0;
        List<String> errors = new ArrayList<>();
        for (PoolSettings pool : settings.pools()) {
            Resources capacity = Resources.NONE;
            Resources used = Resources.NONE;
            int up = 0;
            List<String> poolErrors = new ArrayList<>();
            Optional<String> gpuProduct = Optional.empty();
            for (HostSettings host : hostsOf(pool).values()) {
                hostsSeen++;
                HostState state = state(host, pool);
                try {
                    refreshFacts(state);
                } catch (BackendException e) {
                    poolErrors.add(e.getMessage());
                    continue;
                }
                up++;
                capacity = capacity.plus(state.facts.capacity());
                used = used.plus(state.used);
                if (gpuProduct.isEmpty()) {
                    gpuProduct = state.facts.gpuProduct();
                }
            }
            reachable += up;
            errors.addAll(poolErrors);
            Map<String, String> labels = new LinkedHashMap<>(pool.labels());
            labels.put("ferry.dev/runtime", pool.runtime());
            labels.put(TRANSPORT_LABEL, pool.isLocal() ? "local" : "ssh");
            labels.put("ferry.dev/hosts", Integer.toString(up));
            gpuProduct.ifPresent(p -> labels.put("nvidia.com/gpu.product", p.replaceAll("[^A-Za-z0-9._-]", "-")));
            PoolInfo.PoolCondition condition = up > 0 ? PoolInfo.PoolCondition.READY : PoolInfo.PoolCondition.DOWN;
            String message = up > 0 ? (poolErrors.isEmpty() ? "" : poolErrors.size() + " host(s) unreachable: " + poolErrors.get(0))
                    : hostsOf(pool).isEmpty() ? "the pool has no hosts" : "no host reachable: " + String.join("; ", poolErrors);
            pools.add(new PoolInfo(pool.name(), capacity.toQuantities(), capacity.minus(used).atLeastZero().toQuantities(), condition,
                    Optional.ofNullable(pool.maxWalltime()), labels, message));
        }
        if (hostsSeen > 0 && reachable == 0) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "no VM of site " + site + " can be reached: "
                    + String.join("; ", errors));
        }
        return pools;
    }

    // ------------------------------------------------------------------------------------------ helpers

    @Override
    public void close() {
        if (closeClient && ssh != null) {
            ssh.close();
        }
        if (ownsLocal) {
            local.close();
        }
    }

    private void refreshFacts(HostState state) throws BackendException {
        StatusReport report = status(state, RemoteScripts.Scope.ALL_WITH_FACTS, List.of());
        if (report.facts().isEmpty()) {
            throw new BackendException(BackendException.Reason.FAILED, "host " + state.name + " did not report its CPUs and memory");
        }
        Resources used = Resources.NONE;
        for (StatusReport.JobReport r : report.jobs().values()) {
            if (r.state() == StatusReport.State.RUNNING || r.state() == StatusReport.State.STARTING) {
                used = used.plus(r.resources());
            }
        }
        state.facts = report.facts().get();
        state.factsAt = clock.instant();
        state.used = used;
    }

    private StatusReport status(HostState state, RemoteScripts.Scope scope, List<String> dirs) throws BackendException {
        ExecResult result = run(state, RemoteScripts.status(settings.workDir(), site, scope, dirs, settings.retention()), "status");
        if (!result.ok()) {
            throw new BackendException(BackendException.Reason.FAILED, "status script on host " + state.name + " failed (exit "
                    + result.exitCode() + "): " + result.stderr().strip());
        }
        StatusReport report = StatusReport.parse(result.stdoutText());
        report.logSizes().forEach((k, v) -> logSizes.put(state.name + "/" + k, v));
        return report;
    }

    private ExecResult run(HostState state, String script, String what) throws BackendException {
        try (MDC.MDCCloseable a = MDC.putCloseable("site", site); MDC.MDCCloseable b = MDC.putCloseable("vmHost", state.name)) {
            ExecResult result = exec(state, script.getBytes(StandardCharsets.UTF_8));
            if (state.unreachableSince != null) {
                LOG.info("host {} of site {} is reachable again", state.name, site);
            }
            state.unreachableSince = null;
            state.lastError = null;
            return result;
        } catch (BackendException e) {
            if (state.unreachableSince == null) {
                state.unreachableSince = clock.instant();
                LOG.warn("host {} of site {} cannot be reached ({}): {}", state.name, site, what, e.getMessage());
            }
            state.lastError = e.getMessage();
            throw e;
        }
    }

    /** The script on the host: through the local shell for this machine, else over SSH. */
    private ExecResult exec(HostState state, byte[] script) throws BackendException {
        if (state.host.isLocal()) {
            return local.exec(script, settings.commandTimeout());
        }
        if (ssh == null) {
            throw new BackendException(BackendException.Reason.FAILED, "host " + state.name + " is reached over SSH, but the site has no SSH"
                    + " settings: set backend.vm.identityFile and backend.vm.knownHostsFile");
        }
        return ssh.exec(state.target(settings), RemoteScripts.SHELL_COMMAND, script, settings.commandTimeout());
    }

    /** The hosts of {@code pool} now, by name. */
    private Map<String, HostSettings> hostsOf(PoolSettings pool) throws BackendException {
        Map<String, HostSettings> out = new LinkedHashMap<>();
        for (HostSettings h : provisioner.hosts(pool)) {
            out.put(h.name(), h);
        }
        return out;
    }

    private HostState state(HostSettings host, PoolSettings pool) {
        HostState state = hosts.computeIfAbsent(host.name(), k -> new HostState(host.name()));
        state.host = host;
        state.pool = pool.name();
        return state;
    }

    /** The state of a host that a job id names, looking it up among the pools' hosts when needed. */
    private HostState knownHost(String name) throws BackendException {
        HostState state = hosts.get(name);
        if (state != null && state.host != null) {
            return state;
        }
        for (PoolSettings pool : settings.pools()) {
            HostSettings host = hostsOf(pool).get(name);
            if (host != null) {
                return state(host, pool);
            }
        }
        return null;
    }

    private static <K, V> Map<K, V> lru(int max) {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        });
    }

    /** What the backend knows about one VM. */
    private static final class HostState {
        final String name;
        volatile HostSettings host;
        volatile String pool;
        volatile StatusReport.HostFacts facts;
        volatile Instant factsAt = Instant.MIN;
        volatile Resources used = Resources.NONE;
        volatile Instant unreachableSince;
        volatile String lastError;
        volatile boolean listed;
        final Map<String, JobHandle> owned = new ConcurrentHashMap<>();

        HostState(String name) {
            this.name = name;
        }

        SshTarget target(VmSettings settings) {
            return new SshTarget(name, host.address(), host.port(), settings.userOf(host));
        }
    }
}
