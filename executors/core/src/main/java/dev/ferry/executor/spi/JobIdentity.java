package dev.ferry.executor.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who a backend job is for. A backend stores it with the job at submission and returns it from
 * {@link Backend#listOwned()}, so the runtime can re-attach a job to its pod after a restart.
 * All fields are restricted to characters that are safe in file names, job names and command
 * arguments, so a backend can store them verbatim.
 *
 * @param site      the site that submitted the job
 * @param podUid    the pod's {@code metadata.uid}; the job's name wherever the backend has one
 * @param namespace the pod's namespace
 * @param podName   the pod's name
 * @param attempt   the routing attempt; a re-routed pod's new attempt is a new job
 * @param pool      the backend-local pool name (e.g. the Slurm partition), without the site prefix
 */
public record JobIdentity(String site, String podUid, String namespace, String podName, int attempt, String pool) {

    /** Kubernetes UIDs are UUIDs; anything outside this set is refused rather than escaped. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    public JobIdentity {
        require("site", site);
        require("podUid", podUid);
        require("namespace", namespace);
        require("podName", podName);
        require("pool", pool);
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must not be negative, was " + attempt);
        }
    }

    /** Whether {@code value} may be a field of an identity (letters, digits, '.', '_', '-'; at most 253). */
    public static boolean isSafe(String value) {
        return value != null && SAFE.matcher(value).matches();
    }

    /** {@code namespace/name}, for messages. */
    public String podDisplayName() {
        return namespace + "/" + podName;
    }

    private static void require(String field, String value) {
        Objects.requireNonNull(value, field);
        if (!isSafe(value)) {
            throw new IllegalArgumentException(field + " '" + value
                    + "' may contain only letters, digits, '.', '_' and '-' (at most 253, not starting with '.', '_' or '-')");
        }
    }
}
