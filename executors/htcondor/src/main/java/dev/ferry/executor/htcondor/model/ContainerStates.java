package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.ContainerStatusInfo.State;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-container states. A direct job has one container, whose state is the job's. A launcher job's
 * containers write {@code state/NAME.started} (epoch millis) and {@code state/NAME.exit}
 * ({@code CODE MILLIS}); a container that never wrote its exit (killed, removed, deadline) takes the
 * job's final state.
 */
public final class ContainerStates {

    private ContainerStates() {
    }

    /** The one container of a direct job. */
    public static ContainerStatusInfo direct(String name, JobStatus job) {
        return switch (job.phase()) {
            case PENDING -> ContainerStatusInfo.waiting(name, "Pending");
            case RUNNING -> new ContainerStatusInfo(name, State.RUNNING, Optional.empty(), Optional.empty(), "", job.startedAt(),
                    Optional.empty());
            case SUCCEEDED, FAILED -> new ContainerStatusInfo(name, State.TERMINATED, Optional.of(terminalCode(job)), job.signal(),
                    job.reason(), job.startedAt(), job.finishedAt());
        };
    }

    /**
     * The containers of a launcher job.
     *
     * @param started content of each container's {@code .started} file, when present
     * @param exited  content of each container's {@code .exit} file, when present
     */
    public static List<ContainerStatusInfo> fromFiles(List<String> names, Map<String, String> started, Map<String, String> exited,
                                                      JobStatus job) {
        List<ContainerStatusInfo> out = new ArrayList<>();
        for (String name : names) {
            Optional<Instant> start = millis(started.get(name));
            String exit = exited.get(name);
            if (exit != null) {
                String[] p = exit.strip().split(" ");
                int code;
                try {
                    code = Integer.parseInt(p[0]);
                } catch (NumberFormatException e) {
                    code = 1;
                }
                Optional<Integer> signal = code > 128 && code <= 128 + 64 ? Optional.of(code - 128) : Optional.empty();
                out.add(new ContainerStatusInfo(name, State.TERMINATED, Optional.of(code), signal, code == 0 ? "Completed" : "Error", start,
                        millis(p.length > 1 ? p[1] : null)));
            } else if (job.isTerminal()) {
                out.add(new ContainerStatusInfo(name, State.TERMINATED, Optional.of(terminalCode(job)), job.signal(),
                        start.isPresent() || job.phase() == JobPhase.SUCCEEDED ? job.reason() : "NotStarted", start, job.finishedAt()));
            } else if (start.isPresent() && job.phase() == JobPhase.RUNNING) {
                out.add(new ContainerStatusInfo(name, State.RUNNING, Optional.empty(), Optional.empty(), "", start, Optional.empty()));
            } else {
                out.add(ContainerStatusInfo.waiting(name, job.phase() == JobPhase.PENDING ? "Pending" : "PodInitializing"));
            }
        }
        return out;
    }

    private static int terminalCode(JobStatus job) {
        return job.exitCode().filter(c -> c != 0).orElse(job.signal().map(s -> 128 + s)
                .orElse(job.phase() == JobPhase.SUCCEEDED ? 0 : job.exitCode().orElse(137) == 0 ? 1 : 137));
    }

    private static Optional<Instant> millis(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(text.strip().split(" ")[0])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
