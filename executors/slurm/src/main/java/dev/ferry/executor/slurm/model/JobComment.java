package dev.ferry.executor.slurm.model;

import dev.ferry.executor.spi.JobIdentity;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The job identity Ferry stores in a Slurm job's comment ({@code --comment}); the pod UID is the
 * job's name ({@code --job-name}). Every field of a {@link JobIdentity} is restricted to letters,
 * digits, '.', '_' and '-', so {@code ':'} and {@code '='} separate them unambiguously, and
 * {@code squeue -o %k} gives the comment back as written.
 * Format: {@code ferry:v1:site=S:ns=N:pod=P:attempt=A:pool=Q}.
 */
public final class JobComment {

    static final String PREFIX = "ferry:v1:";

    private JobComment() {
    }

    public static String encode(JobIdentity id) {
        return PREFIX + "site=" + id.site() + ":ns=" + id.namespace() + ":pod=" + id.podName() + ":attempt=" + id.attempt()
                + ":pool=" + id.pool();
    }

    /** The identity of a job named {@code jobName} with {@code comment}, if Ferry submitted it. */
    public static Optional<JobIdentity> decode(String jobName, String comment) {
        if (comment == null || !comment.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : comment.substring(PREFIX.length()).split(":")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            return Optional.of(new JobIdentity(fields.get("site"), jobName, fields.get("ns"), fields.get("pod"),
                    Integer.parseInt(fields.getOrDefault("attempt", "")), fields.get("pool")));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
