package dev.ferry.executor.slurm.model;

import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slurm's text outputs, parsed, and a job's state mapped to a pod's. The outcome is decided by
 * the state, never by the exit code alone: jobcomp records CANCELLED and TIMEOUT jobs with exit
 * code {@code 0:0}. The text formats are used rather than {@code --json}, whose shape differs
 * (and is wrong in places) between Slurm 22.05 and 24.11.
 */
public final class SlurmStates {

    /** The {@code squeue} format: job id, state, reason, time limit, name, comment. */
    public static final String SQUEUE_FORMAT = "%i|%T|%r|%l|%j|%k";
    /** The {@code sacct} fields, with {@code -c -P -n}. */
    public static final String SACCT_FIELDS = "JobID,JobName,State,ExitCode";

    private static final Pattern SCONTROL_PAIR = Pattern.compile("(?:^|\\s)([A-Za-z][A-Za-z0-9/:_]*)=");

    private SlurmStates() {
    }

    /** One line of {@code squeue -h -t all -o }{@link #SQUEUE_FORMAT}. */
    public record QueueRow(String jobId, String state, String reason, String timeLimit, String name, String comment) {
    }

    /** One line of {@code sacct -c -P -n -o }{@link #SACCT_FIELDS}. */
    public record AccountingRow(String jobId, String name, String state, String exitCode) {
    }

    /** Rows of {@code squeue}; lines that do not have the six fields are skipped (they are not Ferry's). */
    public static List<QueueRow> parseSqueue(String stdout) {
        List<QueueRow> rows = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length != 6 || f[0].isEmpty()) {
                continue;
            }
            rows.add(new QueueRow(f[0], f[1], f[2], f[3], f[4], f[5]));
        }
        return rows;
    }

    /** Rows of {@code sacct}, the job records only (no {@code .batch} steps); the last record per job wins. */
    public static Map<String, AccountingRow> parseSacct(String stdout) {
        Map<String, AccountingRow> rows = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 4 || f[0].isEmpty() || f[0].contains(".")) {
                continue;
            }
            rows.put(f[0], new AccountingRow(f[0], f[1], f[2].split(" ")[0], f[3]));
        }
        return rows;
    }

    /** {@code scontrol show job -o ID}: one line of {@code Key=Value} pairs (values may contain spaces). */
    public static Map<String, String> parseScontrol(String stdout) {
        Map<String, String> fields = new LinkedHashMap<>();
        String line = stdout.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) {
            line = line.substring(0, nl);
        }
        Matcher m = SCONTROL_PAIR.matcher(line);
        List<int[]> starts = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(1), m.end()});
        }
        for (int i = 0; i < starts.size(); i++) {
            int keyStart = starts.get(i)[0];
            int valueStart = starts.get(i)[1];
            int valueEnd = i + 1 < starts.size() ? starts.get(i + 1)[0] : line.length();
            fields.put(line.substring(keyStart, valueStart - 1), line.substring(valueStart, valueEnd).strip());
        }
        return fields;
    }

    /** {@code 3:0} → exit code 3; {@code 0:15} → signal 15. */
    public record ExitCode(int code, int signal) {
        public static Optional<ExitCode> parse(String text) {
            if (text == null) {
                return Optional.empty();
            }
            String[] parts = text.strip().split(":");
            try {
                return Optional.of(new ExitCode(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * The pod-level state of a job in Slurm state {@code state} (a long name such as
     * {@code PENDING}, {@code TIMEOUT}, {@code CANCELLED}).
     *
     * @param reason    squeue's reason ({@code %r}), e.g. {@code Resources}, {@code None}
     * @param exitCode  the job's exit code when known (scontrol or sacct)
     * @param timeLimit the job's time limit as Slurm prints it, for TIMEOUT messages
     * @param startedAt when the job started, if known
     * @param endedAt   when it ended, if known
     */
    public static JobStatus map(String state, String reason, Optional<ExitCode> exitCode, String timeLimit,
                                Optional<Instant> startedAt, Optional<Instant> endedAt) {
        String s = state == null ? "" : state.strip().split(" ")[0].toUpperCase(Locale.ROOT);
        String why = reason == null || reason.isBlank() || reason.equals("None") || reason.equals("(null)") ? "" : reason;
        Optional<Integer> code = exitCode.map(ExitCode::code);
        Optional<Integer> signal = exitCode.map(ExitCode::signal).filter(x -> x > 0);
        return switch (s) {
            case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD" ->
                    status(JobPhase.PENDING, "Queued", "queued in Slurm (" + (why.isEmpty() ? s.toLowerCase(Locale.ROOT) : why) + ")",
                            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
            case "RUNNING", "COMPLETING", "SIGNALING", "STAGE_OUT", "RESIZING" ->
                    status(JobPhase.RUNNING, "Running", "", Optional.empty(), Optional.empty(), startedAt, Optional.empty());
            case "SUSPENDED", "STOPPED" ->
                    status(JobPhase.RUNNING, "Suspended", "suspended by Slurm" + (why.isEmpty() ? "" : " (" + why + ")"),
                            Optional.empty(), Optional.empty(), startedAt, Optional.empty());
            case "COMPLETED" -> status(JobPhase.SUCCEEDED, "Completed", "", Optional.of(0), Optional.empty(), startedAt, endedAt);
            case "FAILED" -> failedMessage(why, code, signal, startedAt, endedAt);
            case "CANCELLED" -> status(JobPhase.FAILED, "Cancelled", "cancelled", code, signal, startedAt, endedAt);
            case "TIMEOUT" -> status(JobPhase.FAILED, "DeadlineExceeded",
                    "TIMEOUT after " + (timeLimit == null || timeLimit.isBlank() ? "its time limit" : timeLimit) + " (Slurm time limit)",
                    code, signal, startedAt, endedAt);
            case "DEADLINE" -> status(JobPhase.FAILED, "DeadlineExceeded", "Slurm deadline reached before the job could finish",
                    code, signal, startedAt, endedAt);
            case "NODE_FAIL" -> status(JobPhase.FAILED, "NodeFailure", "the node running the job failed", code, signal, startedAt, endedAt);
            case "BOOT_FAIL" -> status(JobPhase.FAILED, "NodeFailure", "the node could not boot for the job", code, signal, startedAt, endedAt);
            case "PREEMPTED" -> status(JobPhase.FAILED, "Preempted", "preempted by Slurm", code, signal, startedAt, endedAt);
            case "OUT_OF_MEMORY" -> status(JobPhase.FAILED, "OOMKilled", "killed by Slurm: out of memory (raise the memory limit)",
                    code, signal, startedAt, endedAt);
            case "REVOKED" -> status(JobPhase.FAILED, "Revoked", "revoked by Slurm (federation)", code, signal, startedAt, endedAt);
            case "SPECIAL_EXIT" -> failedMessage("SpecialExit", code, signal, startedAt, endedAt);
            default -> status(JobPhase.PENDING, "Queued", "Slurm state " + s, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        };
    }

    private static JobStatus failedMessage(String why, Optional<Integer> code, Optional<Integer> signal,
                                           Optional<Instant> startedAt, Optional<Instant> endedAt) {
        String message;
        if (why.equals("JobLaunchFailure")) {
            message = "Slurm could not launch the job (JobLaunchFailure): the pod directory or output file may be missing on the compute node";
        } else if (signal.isPresent()) {
            message = "killed by signal " + signal.get();
        } else if (code.isPresent()) {
            message = "exited with code " + code.get();
        } else {
            message = "failed" + (why.isEmpty() ? "" : " (" + why + ")");
        }
        return status(JobPhase.FAILED, "Error", message, code, signal, startedAt, endedAt);
    }

    private static JobStatus status(JobPhase phase, String reason, String message, Optional<Integer> code, Optional<Integer> signal,
                                    Optional<Instant> startedAt, Optional<Instant> endedAt) {
        return new JobStatus(phase, reason, message, code, signal, startedAt, endedAt, List.of(), List.of());
    }

    /** A time as scontrol prints it ({@code 2026-01-01T00:00:00}, local time); empty for {@code Unknown}/{@code None}. */
    public static Optional<Instant> parseTime(String text, ZoneId zone) {
        if (text == null || text.isBlank() || text.equals("Unknown") || text.equals("None") || text.equals("N/A")) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(text).atZone(zone).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * A Slurm duration: {@code minutes}, {@code minutes:seconds}, {@code hours:minutes:seconds},
     * {@code days-hours}, {@code days-hours:minutes}, {@code days-hours:minutes:seconds}; empty for
     * {@code infinite}, {@code UNLIMITED}, {@code NONE}.
     */
    public static Optional<java.time.Duration> parseDuration(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        if (t.isEmpty() || t.equalsIgnoreCase("infinite") || t.equalsIgnoreCase("unlimited") || t.equalsIgnoreCase("none")
                || t.equalsIgnoreCase("n/a")) {
            return Optional.empty();
        }
        try {
            long days = 0;
            String rest = t;
            int dash = t.indexOf('-');
            if (dash >= 0) {
                days = Long.parseLong(t.substring(0, dash));
                rest = t.substring(dash + 1);
            }
            String[] p = rest.split(":");
            long seconds;
            if (dash >= 0) {
                long h = Long.parseLong(p[0]);
                long m = p.length > 1 ? Long.parseLong(p[1]) : 0;
                long s = p.length > 2 ? Long.parseLong(p[2]) : 0;
                seconds = ((days * 24 + h) * 60 + m) * 60 + s;
            } else if (p.length == 1) {
                seconds = Long.parseLong(p[0]) * 60;
            } else if (p.length == 2) {
                seconds = Long.parseLong(p[0]) * 60 + Long.parseLong(p[1]);
            } else {
                seconds = (Long.parseLong(p[0]) * 60 + Long.parseLong(p[1])) * 60 + Long.parseLong(p[2]);
            }
            return Optional.of(java.time.Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
