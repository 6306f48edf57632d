package dev.ferry.executor.htcondor;

import dev.ferry.devkit.junit.TestNames;
import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The HTCondor the integration tests use: the chroot of {@code scripts/local-htcondor.sh}
 * ({@code $FERRY_HTCONDOR_CHROOT}, default /var/cache/ferry/htcondor-chroot), jobs submitted as
 * {@code $FERRY_HTCONDOR_USER} (default ferry). Tests skip, saying why, when its schedd does not answer.
 */
public final class LocalHtcondor {

    private LocalHtcondor() {
    }

    public static String chrootDir() {
        return Optional.ofNullable(System.getenv("FERRY_HTCONDOR_CHROOT")).filter(s -> !s.isBlank())
                .orElse("/var/cache/ferry/htcondor-chroot");
    }

    public static String user() {
        return Optional.ofNullable(System.getenv("FERRY_HTCONDOR_USER")).filter(s -> !s.isBlank()).orElse("ferry");
    }

    public static HtcondorSettings.Chroot chroot() {
        return new HtcondorSettings.Chroot(chrootDir(), user());
    }

    public static UnixUser unixUser() {
        return HtcondorBackendFactory.chrootUser(chroot(), "chroot");
    }

    /** Runs HTCondor's tools in the tree as the job user. */
    public static CommandRunner runner() {
        return new ChrootCommandRunner(new LocalCommandRunner(LocalCommandRunner.environment(System.getenv(), Map.of()),
                Path.of(System.getProperty("java.io.tmpdir")), Duration.ofSeconds(60)), chrootDir(), unixUser());
    }

    /** Why no HTCondor can be used here, if none can (checked once per test JVM). */
    public static synchronized Optional<String> unreachable() {
        if (unreachable == null) {
            unreachable = check();
        }
        return unreachable;
    }

    private static Optional<String> unreachable;

    private static Optional<String> check() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("the tests must run as root to enter the chroot (they run as " + System.getProperty("user.name") + ")");
        }
        if (!Files.isRegularFile(Path.of(chrootDir(), "usr", "bin", "condor_q"))) {
            return Optional.of("there is no HTCondor in " + chrootDir());
        }
        try {
            CommandResult r = runner().run(List.of("condor_q", "-totals"), Duration.ofSeconds(20));
            return r.ok() ? Optional.empty() : Optional.of("condor_q: " + r.describe());
        } catch (BackendException | RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    /** Skips the calling test, saying why, unless the schedd answers. */
    public static void assumeReachable() {
        unreachable().ifPresent(why -> Assumptions.abort("no HTCondor is reachable (" + why + "); start one with"
                + " executors/htcondor/scripts/local-htcondor.sh start (CI does this in .ci/setup.d/30-htcondor.sh)"));
    }

    /** A fresh work directory under the tree's pods directory, as HTCondor sees it. */
    public static String workDir() {
        return "/var/lib/ferry/pods/" + TestNames.unique("it");
    }

    /** The {@code backend:} section of a site.yaml for the local chroot HTCondor, with extra YAML under {@code backend.htcondor}. */
    public static String backendYaml(String extraHtcondor) {
        return "backend:\n  type: htcondor\n"
                + "  htcondor:\n    workDir: " + workDir() + "\n"
                + "    chroot: {dir: " + chrootDir() + ", user: " + user() + "}\n" + extraHtcondor;
    }

    /** The pool id of the local HTCondor's one pool for {@code site}. */
    public static String poolId(String site) {
        return site + "/default";
    }

    public static HtcondorSettings settings(String workDir) {
        return HtcondorSettings.of(workDir).withChroot(chroot());
    }

    public static HtcondorBackend backend(String site, HtcondorSettings settings) {
        return new HtcondorBackend(site, settings, runner(), new PodDirectories(Path.of(chrootDir()), Optional.of(unixUser())),
                Clock.systemUTC());
    }

    /** This machine's path of {@code path} as HTCondor sees it. */
    public static Path local(String path) {
        return Path.of(chrootDir(), path.substring(1));
    }

    /** Every job HTCondor holds for {@code podUid}: in the queue and in the history, as {@code cluster.proc}. */
    public static List<String> jobsOf(String podUid) throws BackendException {
        List<String> ids = new ArrayList<>();
        String constraint = "PodUID == \"" + podUid + "\"";
        for (String tool : List.of("condor_q", "condor_history")) {
            CommandResult r = runner().run(List.of(tool, "-constraint", constraint, "-af:j", "JobStatus"));
            r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> ids.add(l.split(" ")[0]));
        }
        return ids;
    }

    /** The job's full ClassAd as {@code condor_q -l} or {@code condor_history -l} print it. */
    public static String longAd(String jobId) throws BackendException {
        String q = runner().run(List.of("condor_q", "-l", jobId)).stdout();
        return q.isBlank() ? runner().run(List.of("condor_history", "-l", "-limit", "1", jobId)).stdout() : q;
    }
}
