package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.spi.JobIdentity;
import java.util.List;
import java.util.Optional;

/**
 * The job ClassAd attributes Ferry sets at submission ({@code +FerrySite = "..."} and so on) and reads
 * back: who the job is for, so a restarted executor can re-attach it to its pod. Every identity field
 * is restricted to letters, digits, '.', '_' and '-', so each is a plain ClassAd string literal.
 */
public final class JobAttributes {

    public static final String SITE = "FerrySite";
    public static final String POD_UID = "PodUID";
    public static final String NAMESPACE = "PodNamespace";
    public static final String POD_NAME = "PodName";
    public static final String ATTEMPT = "FerryAttempt";
    public static final String POOL = "FerryPool";
    /** The pod's {@code activeDeadlineSeconds}, read by the job's {@code periodic_remove}. */
    public static final String DEADLINE = "FerryDeadline";
    /** Set (to true) on jobs that run Ferry's launcher rather than the container's command directly. */
    public static final String LAUNCHER = "FerryLauncher";
    /** The pod's containers' names, comma-separated (DNS labels, so plain ClassAd strings). */
    public static final String CONTAINERS = "FerryContainers";
    /** The pod's init containers' names, comma-separated, in order. */
    public static final String INIT_CONTAINERS = "FerryInitContainers";

    /** Everything the backend reads from {@code condor_q} and {@code condor_history}, in one list. */
    public static final List<String> QUERY = List.of("ClusterId", "ProcId", "JobStatus", SITE, POD_UID, NAMESPACE, POD_NAME, ATTEMPT,
            POOL, DEADLINE, LAUNCHER, CONTAINERS, INIT_CONTAINERS, "HoldReason", "HoldReasonCode", "HoldReasonSubCode", "ExitCode", "ExitBySignal", "ExitSignal",
            "RemoveReason", "EnteredCurrentStatus", "JobCurrentStartExecutingDate", "CompletionDate");

    private JobAttributes() {
    }

    /** The {@code -attributes} argument for {@link #QUERY}. */
    public static String queryList() {
        return String.join(",", QUERY);
    }

    /** The constraint selecting this site's jobs. */
    public static String siteConstraint(String site) {
        return SITE + " == " + SubmitQuoting.classAdString(site);
    }

    /** The names in a comma-separated attribute ({@link #CONTAINERS}, {@link #INIT_CONTAINERS}). */
    public static List<String> names(JobAd ad, String attribute) {
        String value = ad.string(attribute).orElse("");
        return value.isBlank() ? List.of() : List.of(value.split(","));
    }

    /** The identity stored in {@code ad}, if it is a Ferry job of {@code site}. */
    public static Optional<JobIdentity> identity(JobAd ad, String site) {
        if (!ad.string(SITE).map(site::equals).orElse(false)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new JobIdentity(site, ad.string(POD_UID).orElse(null), ad.string(NAMESPACE).orElse(null),
                    ad.string(POD_NAME).orElse(null), Math.toIntExact(ad.integer(ATTEMPT).orElse(-1L)), ad.string(POOL).orElse(null)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
