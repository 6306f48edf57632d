package dev.ferry.executor.slurm.model;

import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-container states from the files the batch script writes ({@code state/NAME.started} with
 * epoch millis, {@code state/NAME.exit} with {@code CODE MILLIS}), completed by the job's state for
 * containers that never wrote theirs (killed, cancelled, timed out).
 */
public final class ContainerFiles {

    private ContainerFiles() {
    }

    /** The {@code containers} file: {@code init NAME} and {@code main NAME} lines. */
    public record Names(List<String> init, List<String> main) {
        public static Names parse(String text) {
            List<String> init = new ArrayList<>();
            List<String> main = new ArrayList<>();
            for (String line : text.split("\n")) {
                String[] p = line.strip().split(" ", 2);
                if (p.length == 2 && p[0].equals("init")) {
                    init.add(p[1]);
                } else if (p.length == 2 && p[0].equals("main")) {
                    main.add(p[1]);
                }
            }
            return new Names(List.copyOf(init), List.copyOf(main));
        }
    }

    /**
     * The containers' states.
     *
     * @param started content of each container's {@code .started} file, when present
     * @param exited  content of each container's {@code .exit} file, when present
     * @param job     the job's state
     */
    public static List<ContainerStatusInfo> states(List<String> names, Map<String, String> started, Map<String, String> exited,
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
                String reason = code == 0 ? "Completed" : "Error";
                out.add(new ContainerStatusInfo(name, ContainerStatusInfo.State.TERMINATED, Optional.of(code), signal, reason, start,
                        millis(p.length > 1 ? p[1] : null)));
            } else if (job.isTerminal()) {
                int code = job.exitCode().filter(c -> c != 0).orElse(job.signal().map(s -> 128 + s).orElse(
                        job.phase() == JobStatus.JobPhase.SUCCEEDED ? 0 : 137));
                out.add(new ContainerStatusInfo(name, ContainerStatusInfo.State.TERMINATED, Optional.of(code), job.signal(),
                        job.reason(), start, job.finishedAt()));
            } else if (start.isPresent()) {
                out.add(new ContainerStatusInfo(name, ContainerStatusInfo.State.RUNNING, Optional.empty(), Optional.empty(), "", start,
                        Optional.empty()));
            } else {
                out.add(ContainerStatusInfo.waiting(name, job.phase() == JobStatus.JobPhase.PENDING ? "Pending" : "PodInitializing"));
            }
        }
        return out;
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
