package dev.ferry.executor.vm.model;

import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.vm.model.StatusReport.ContainerReport;
import dev.ferry.executor.vm.model.StatusReport.JobReport;
import dev.ferry.executor.vm.model.StatusReport.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A job's files as a {@link JobStatus}. The outcome comes from the markers first (a cancelled job
 * is Cancelled and a job stopped by its deadline is DeadlineExceeded, whatever its containers
 * exited with), then from the exit code. An exit code above 128 means the container was ended by
 * signal {@code code - 128}, as shells and container runtimes report it.
 */
public final class JobStates {

    private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"), Map.entry(10, "SIGUSR1"), Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"));

    private JobStates() {
    }

    /**
     * The status of a job that the report shows.
     *
     * @param host         the host's name, for messages
     * @param startTimeout how long a job may stay {@code starting}
     * @return empty when the job directory is missing
     */
    public static Optional<JobStatus> map(JobReport r, String host, Duration startTimeout, long nowMillis) {
        List<ContainerReport> init = r.containers().stream().filter(ContainerReport::init).toList();
        List<ContainerReport> main = r.containers().stream().filter(c -> !c.init()).toList();
        return switch (r.state()) {
            case MISSING -> Optional.empty();
            case STARTING -> {
                long since = r.submitted().isPresent() ? nowMillis - r.submitted().getAsLong() : 0;
                if (since > startTimeout.toMillis()) {
                    yield Optional.of(status(JobPhase.FAILED, "StartFailed", "the job did not start on host " + host + " within "
                            + startTimeout.toSeconds() + " s (see wrapper.log in its directory there)", Optional.empty(), r, init, main, false));
                }
                yield Optional.of(status(JobPhase.PENDING, "Starting", "starting on host " + host, Optional.empty(), r, init, main, false));
            }
            case RUNNING -> Optional.of(status(JobPhase.RUNNING, "Running", "running on host " + host, Optional.empty(), r, init, main, false));
            case FINISHED -> Optional.of(finished(r, host, init, main));
            case VANISHED -> {
                if (r.cancelled().isPresent()) {
                    yield Optional.of(status(JobPhase.FAILED, "Cancelled", "cancelled (stopped with SIGKILL)", Optional.of(137), r, init,
                            main, true));
                }
                yield Optional.of(status(JobPhase.FAILED, "Killed", "the job's processes on host " + host
                        + " ended without recording an exit code (killed with SIGKILL, by the out-of-memory killer, or the VM rebooted)",
                        Optional.of(137), r, init, main, true));
            }
        };
    }

    private static JobStatus finished(JobReport r, String host, List<ContainerReport> init, List<ContainerReport> main) {
        int code = r.exitCode().orElse(1);
        if (r.cancelled().isPresent()) {
            return status(JobPhase.FAILED, "Cancelled", "cancelled", Optional.of(code), r, init, main, true);
        }
        if (r.deadline().isPresent()) {
            return status(JobPhase.FAILED, "DeadlineExceeded", "ran longer than its activeDeadlineSeconds and was stopped",
                    Optional.of(code), r, init, main, true);
        }
        if (code == 0) {
            return status(JobPhase.SUCCEEDED, "Completed", "", Optional.of(0), r, init, main, true);
        }
        String message = "exited with code " + code;
        for (ContainerReport c : concat(init, main)) {
            if (c.exitCode().isPresent() && c.exitCode().get() != 0) {
                message = (c.init() ? "init container " : "container ") + c.name() + " " + describe(c.exitCode().get());
                break;
            }
        }
        return status(JobPhase.FAILED, "Error", message, Optional.of(code), r, init, main, true);
    }

    /** {@code exited with code 3} or {@code was killed by signal 9 (SIGKILL)}. */
    public static String describe(int code) {
        Optional<Integer> signal = signal(code);
        if (signal.isPresent()) {
            String name = SIGNALS.get(signal.get());
            return "was killed by signal " + signal.get() + (name == null ? "" : " (" + name + ")");
        }
        return "exited with code " + code;
    }

    /** The signal an exit code above 128 stands for. */
    public static Optional<Integer> signal(int code) {
        return code > 128 && code <= 128 + 64 ? Optional.of(code - 128) : Optional.empty();
    }

    private static JobStatus status(JobPhase phase, String reason, String message, Optional<Integer> exitCode, JobReport r,
                                    List<ContainerReport> init, List<ContainerReport> main, boolean terminal) {
        Optional<Integer> signal = exitCode.flatMap(JobStates::signal);
        Optional<Instant> started = phase == JobPhase.PENDING ? Optional.empty() : instant(r.started());
        Optional<Instant> finished = terminal ? instant(r.finished()).or(() -> latestEnd(r)) : Optional.empty();
        boolean initDone = init.stream().allMatch(c -> c.exitCode().isPresent());
        List<ContainerStatusInfo> initStates = new ArrayList<>();
        for (ContainerReport c : init) {
            initStates.add(container(c, phase, terminal, reason, "PodInitializing"));
        }
        List<ContainerStatusInfo> mainStates = new ArrayList<>();
        for (ContainerReport c : main) {
            mainStates.add(container(c, phase, terminal, reason, initDone ? "ContainerCreating" : "PodInitializing"));
        }
        return new JobStatus(phase, reason, message, exitCode, signal, started, finished, initStates, mainStates);
    }

    private static ContainerStatusInfo container(ContainerReport c, JobPhase phase, boolean terminal, String jobReason, String waiting) {
        if (c.exitCode().isPresent()) {
            int code = c.exitCode().get();
            return new ContainerStatusInfo(c.name(), ContainerStatusInfo.State.TERMINATED, Optional.of(code), signal(code),
                    code == 0 ? "Completed" : "Error", instant(c.started()), instant(c.finished()));
        }
        if (c.started().isPresent() && terminal) {
            // it was running when the job ended without it recording an exit: the process group got SIGKILL
            return new ContainerStatusInfo(c.name(), ContainerStatusInfo.State.TERMINATED, Optional.of(137), Optional.of(9), jobReason,
                    instant(c.started()), Optional.empty());
        }
        if (c.started().isPresent()) {
            return new ContainerStatusInfo(c.name(), ContainerStatusInfo.State.RUNNING, Optional.empty(), Optional.empty(), "",
                    instant(c.started()), Optional.empty());
        }
        return ContainerStatusInfo.waiting(c.name(), phase == JobPhase.PENDING ? "ContainerCreating" : waiting);
    }

    private static Optional<Instant> latestEnd(JobReport r) {
        return r.containers().stream().map(c -> instant(c.finished())).flatMap(Optional::stream).max(Instant::compareTo);
    }

    private static Optional<Instant> instant(OptionalLong millis) {
        return millis.isPresent() ? Optional.of(Instant.ofEpochMilli(millis.getAsLong())) : Optional.empty();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Whether the state means the job is over (its final status will not change). */
    public static boolean isOver(State state) {
        return state == State.FINISHED || state == State.VANISHED;
    }
}
