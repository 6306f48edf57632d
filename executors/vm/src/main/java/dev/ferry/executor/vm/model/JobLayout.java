package dev.ferry.executor.vm.model;

import dev.ferry.executor.spi.JobIdentity;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a job lives on a VM and how it is named. Each pod attempt is one directory,
 * {@code <workDir>/<site>/<pod-uid>-<attempt>}, which holds everything about the job: the wrapper
 * ({@code run.sh}), the identity the runtime re-attaches it by ({@code identity}), its requests
 * ({@code resources}), the container list ({@code containers}), per-container environment
 * ({@code env/NAME.env}, 0600), volumes ({@code volumes/VOLUME/...}), output ({@code logs/NAME.stdout},
 * {@code logs/NAME.stderr}), per-container state ({@code state/NAME.started}, {@code state/NAME.exit}),
 * and the job's own state files: {@code submitted}, {@code pid} ({@code PID STARTTIME}, the wrapper
 * is the leader of its own session and process group), {@code started}, {@code exit}
 * ({@code CODE MILLIS}), {@code cancelled}, {@code deadline}. The backend's job id is
 * {@code <host>/<pod-uid>-<attempt>}.
 */
public final class JobLayout {

    private static final Pattern DIR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}-[0-9]{1,9}");

    private JobLayout() {
    }

    /** The job's directory name: {@code <pod-uid>-<attempt>}. */
    public static String dirName(JobIdentity id) {
        return id.podUid() + "-" + id.attempt();
    }

    /** The site's directory on a VM. */
    public static String siteDir(String workDir, String site) {
        return workDir + "/" + site;
    }

    /** The job's directory on a VM. */
    public static String jobDir(String workDir, JobIdentity id) {
        return siteDir(workDir, id.site()) + "/" + dirName(id);
    }

    /** The backend's job id: {@code <host>/<dir>}. */
    public static String jobId(String host, JobIdentity id) {
        return host + "/" + dirName(id);
    }

    /** The host part of a job id. */
    public static String hostOf(String jobId) {
        int slash = jobId.indexOf('/');
        return slash < 0 ? jobId : jobId.substring(0, slash);
    }

    /** The directory part of a job id. */
    public static String dirOf(String jobId) {
        int slash = jobId.indexOf('/');
        return slash < 0 ? "" : jobId.substring(slash + 1);
    }

    /** Whether {@code name} can be a job directory name (as the status script prints them). */
    public static boolean isDirName(String name) {
        return name != null && DIR.matcher(name).matches();
    }

    /** The {@code identity} file: one {@code key=value} line per field; every value is restricted to safe characters. */
    public static String identityFile(JobIdentity id, String host) {
        return "site=" + id.site() + "\npodUid=" + id.podUid() + "\nnamespace=" + id.namespace() + "\npodName=" + id.podName()
                + "\nattempt=" + id.attempt() + "\npool=" + id.pool() + "\nhost=" + host + "\n";
    }

    /** An identity from {@code key=value} fields (as the status script prints the identity file), if complete and valid. */
    public static Optional<JobIdentity> parseIdentity(Map<String, String> fields) {
        try {
            return Optional.of(new JobIdentity(fields.get("site"), fields.get("podUid"), fields.get("namespace"), fields.get("podName"),
                    Integer.parseInt(fields.getOrDefault("attempt", "")), fields.get("pool")));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses {@code key=value} words separated by spaces; words without '=' are ignored. */
    public static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String word : text.strip().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                out.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return out;
    }
}
