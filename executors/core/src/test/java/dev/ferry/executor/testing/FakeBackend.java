package dev.ferry.executor.testing;

import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PoolInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-JVM backend whose jobs a test moves by hand ({@link #set}); it counts calls, can be made
 * unreachable, and keeps its jobs across "restarts" of the runtime (like a real batch system).
 */
public final class FakeBackend implements Backend {
    private final Map<String, JobHandle> jobs = new LinkedHashMap<>();
    private final Map<String, JobStatus> states = new HashMap<>();
    private final Map<String, StringBuilder> output = new HashMap<>();
    private final List<JobRequest> submitted = new ArrayList<>();
    private final List<String> cancelled = new ArrayList<>();
    private int polls;
    private int lists;
    private int lastPollSize;
    private boolean down;
    private String rejectWith;
    private int nextId = 100;
    private List<PoolInfo> pools = List.of(new PoolInfo("debug", Map.of("cpu", "8"), Map.of("cpu", "8"),
            PoolInfo.PoolCondition.READY, Optional.of(Duration.ofHours(1)), Map.of(), ""));

    @Override
    public String type() {
        return "slurm";
    }

    @Override
    public synchronized JobHandle submit(JobRequest request) throws BackendException {
        check();
        if (rejectWith != null) {
            throw BackendException.rejected("SubmitRejected", rejectWith);
        }
        submitted.add(request);
        JobHandle handle = new JobHandle(request.identity(), Integer.toString(nextId++));
        jobs.put(handle.backendJobId(), handle);
        states.put(handle.backendJobId(), JobStatus.of(JobStatus.JobPhase.PENDING, "Queued", "queued"));
        return handle;
    }

    @Override
    public synchronized void cancel(JobHandle job) throws BackendException {
        check();
        cancelled.add(job.backendJobId());
        states.put(job.backendJobId(), JobStatus.of(JobStatus.JobPhase.FAILED, "Cancelled", "cancelled"));
    }

    @Override
    public synchronized Map<JobHandle, JobStatus> poll(Collection<JobHandle> handles) throws BackendException {
        check();
        polls++;
        lastPollSize = handles.size();
        Map<JobHandle, JobStatus> out = new LinkedHashMap<>();
        for (JobHandle h : handles) {
            JobStatus s = states.get(h.backendJobId());
            if (s != null) {
                out.put(h, s);
            }
        }
        return out;
    }

    @Override
    public synchronized List<JobHandle> listOwned() throws BackendException {
        check();
        lists++;
        return List.copyOf(jobs.values());
    }

    @Override
    public synchronized byte[] readLog(JobHandle job, String container, LogStreamKind stream, long offset, int maxBytes) {
        StringBuilder out = output.get(job.backendJobId() + "/" + container + "/" + stream);
        if (out == null) {
            return new byte[0];
        }
        byte[] all = out.toString().getBytes(StandardCharsets.UTF_8);
        if (offset >= all.length) {
            return new byte[0];
        }
        int n = (int) Math.min(maxBytes, all.length - offset);
        byte[] data = new byte[n];
        System.arraycopy(all, (int) offset, data, 0, n);
        return data;
    }

    @Override
    public synchronized List<PoolInfo> discoverPools() throws BackendException {
        check();
        return pools;
    }

    /** Moves a job to a state. */
    public synchronized void set(String jobId, JobStatus.JobPhase phase, String reason, Integer exitCode) {
        states.put(jobId, new JobStatus(phase, reason, "", Optional.ofNullable(exitCode), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), List.of(new ContainerStatusInfo("main",
                phase == JobStatus.JobPhase.PENDING ? ContainerStatusInfo.State.WAITING
                        : phase == JobStatus.JobPhase.RUNNING ? ContainerStatusInfo.State.RUNNING : ContainerStatusInfo.State.TERMINATED,
                Optional.ofNullable(exitCode), Optional.empty(), reason, Optional.empty(), Optional.empty()))));
    }

    /** Forgets a job completely (purged from the controller and its accounting). */
    public synchronized void forget(String jobId) {
        states.remove(jobId);
        jobs.remove(jobId);
    }

    public synchronized void write(String jobId, String container, LogStreamKind stream, String text) {
        output.computeIfAbsent(jobId + "/" + container + "/" + stream, k -> new StringBuilder()).append(text);
    }

    public synchronized void setDown(boolean down) {
        this.down = down;
    }

    public synchronized void rejectWith(String message) {
        this.rejectWith = message;
    }

    public synchronized void setPools(List<PoolInfo> pools) {
        this.pools = List.copyOf(pools);
    }

    public synchronized List<JobRequest> submitted() {
        return List.copyOf(submitted);
    }

    public synchronized List<String> cancelled() {
        return List.copyOf(cancelled);
    }

    public synchronized int polls() {
        return polls;
    }

    public synchronized int lastPollSize() {
        return lastPollSize;
    }

    public synchronized int lists() {
        return lists;
    }

    private void check() throws BackendException {
        if (down) {
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "controller unreachable (test)");
        }
    }
}
