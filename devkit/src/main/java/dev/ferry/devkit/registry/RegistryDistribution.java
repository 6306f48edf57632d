package dev.ferry.devkit.registry;

import dev.ferry.devkit.Versions;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.process.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Apicurio Registry server distribution ({@code io.apicurio:apicurio-registry-app:VERSION:tar.gz:all}, about
 * 108 MB), found in the local Maven repository, fetched into it when missing, and unpacked once into a cache.
 *
 * <p>The artifact's parent POM is not on Maven Central, so ordinary dependency resolution fails; only
 * {@code mvn dependency:get -Dtransitive=false} fetches it, which is what {@link #tarball()} runs when the file is
 * missing (the devkit's own build runs the same goal, so a built checkout normally has it).
 *
 * <p>Locations: the Maven repository is the system property {@code maven.repo.local}, else the environment
 * variable {@code FERRY_M2_REPO}, else {@code ~/.m2/repository} (a {@code localRepository} set only in
 * {@code settings.xml} is not read). The cache is {@code FERRY_CACHE_DIR}, else {@code ~/.cache/ferry}; the server
 * is unpacked to {@code <cache>/apicurio-registry-VERSION/}, first into a temporary sibling that is then renamed,
 * so JVMs that unpack at the same time never see a half-written directory.
 */
public final class RegistryDistribution {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryDistribution.class);

    public static final String GROUP_ID = "io.apicurio";
    public static final String ARTIFACT_ID = "apicurio-registry-app";
    public static final String CLASSIFIER = "all";
    public static final String TYPE = "tar.gz";

    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(5);
    private static final String FETCH_GOAL = "org.apache.maven.plugins:maven-dependency-plugin:2.8:get";

    private final String version;
    private final Path mavenRepository;
    private final Path cacheDir;
    private final boolean offline;

    private RegistryDistribution(String version, Path mavenRepository, Path cacheDir, boolean offline) {
        this.offline = offline;
        this.version = Objects.requireNonNull(version, "version");
        this.mavenRepository = Objects.requireNonNull(mavenRepository, "mavenRepository");
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /** The version the devkit was built for, with the locations from system properties and the environment. */
    public static RegistryDistribution defaults() {
        return of(Versions.apicurioRegistry(), mavenRepository(System::getProperty, System::getenv),
                cacheDir(System::getenv));
    }

    public static RegistryDistribution of(String version, Path mavenRepository, Path cacheDir) {
        return new RegistryDistribution(version, mavenRepository, cacheDir, false);
    }

    /** The local Maven repository: {@code maven.repo.local}, else {@code FERRY_M2_REPO}, else ~/.m2/repository. */
    static Path mavenRepository(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String property = systemProperties.apply("maven.repo.local");
        if (property != null && !property.isBlank()) {
            return Paths.get(property);
        }
        String env = environment.apply("FERRY_M2_REPO");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get(systemProperties.apply("user.home"), ".m2", "repository");
    }

    /** The cache directory: {@code FERRY_CACHE_DIR}, else ~/.cache/ferry. */
    static Path cacheDir(UnaryOperator<String> environment) {
        String env = environment.apply("FERRY_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "ferry");
    }

    public String version() {
        return version;
    }

    /** {@code io.apicurio:apicurio-registry-app:VERSION:tar.gz:all}, as {@code dependency:get} spells it. */
    public String coordinates() {
        return GROUP_ID + ":" + ARTIFACT_ID + ":" + version + ":" + TYPE + ":" + CLASSIFIER;
    }

    /** Where the tarball lives in the local Maven repository (it may not exist yet). */
    public Path tarballPath() {
        return mavenRepository.resolve(GROUP_ID.replace('.', '/')).resolve(ARTIFACT_ID).resolve(version)
                .resolve(ARTIFACT_ID + "-" + version + "-" + CLASSIFIER + "." + TYPE);
    }

    /** Where the server is unpacked (it may not exist yet). */
    public Path installDir() {
        return cacheDir.resolve("apicurio-registry-" + version);
    }

    /** The server's runnable jar inside {@link #installDir()} (it may not exist yet). */
    public Path runnerJarPath() {
        return installDir().resolve(ARTIFACT_ID + "-" + version + "-runner.jar");
    }

    /**
     * The tarball in the local Maven repository, fetched with {@code mvn dependency:get} first when it is missing.
     *
     * @throws IllegalStateException when {@code mvn} is missing, fails, or takes longer than 15 minutes
     */
    public Path tarball() {
        Path tarball = tarballPath();
        if (Files.isRegularFile(tarball)) {
            return tarball;
        }
        LOG.info("{} is not in {}; fetching it with mvn dependency:get (about 108 MB)", coordinates(), mavenRepository);
        run(fetchCommand(mavenRepository, offline), FETCH_TIMEOUT, "fetching " + coordinates() + " with mvn");
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException("mvn dependency:get succeeded but " + tarball + " does not exist");
        }
        return tarball;
    }

    /**
     * The Maven command that fetches the tarball. It names maven-dependency-plugin 2.8 because from 3.x on,
     * {@code get} reads the artifact's POM even with {@code transitive=false}, and that POM's parent
     * ({@code io.apicurio:apicurio-registry}) is not on Maven Central.
     */
    List<String> fetchCommand(Path repository, boolean offline) {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q"));
        if (offline) {
            command.add("-o");
        }
        command.addAll(List.of(FETCH_GOAL, "-Dtransitive=false", "-Dartifact=" + coordinates(),
                "-Dmaven.repo.local=" + repository.toAbsolutePath()));
        return command;
    }

    /**
     * Fetches the tarball into a local repository when it is missing; the devkit's build runs this (through
     * exec-maven-plugin) so that a built checkout has the registry. Arguments: the local repository (Maven's
     * {@code settings.localRepository}) and, optionally, {@code offline=true} when Maven runs offline.
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: RegistryDistribution <local Maven repository> [offline=true]");
        }
        boolean offline = args.length == 2 && args[1].equals("offline=true");
        RegistryDistribution distribution = new RegistryDistribution(Versions.apicurioRegistry(), Paths.get(args[0]),
                cacheDir(System::getenv), offline);
        if (!Files.isRegularFile(distribution.tarballPath())) {
            System.out.println("[ferry-devkit] fetching " + distribution + " into " + args[0]);
            System.out.println("[ferry-devkit] fetched " + distribution.tarball());
        }
    }

    /**
     * The unpacked server's runnable jar: fetches the tarball if needed and unpacks it on first use.
     *
     * @throws IllegalStateException when it cannot be fetched or unpacked
     */
    public Path runnerJar() {
        Path jar = runnerJarPath();
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Path tarball = tarball();
        Path target = installDir();
        long started = System.nanoTime();
        Path staging;
        try {
            Files.createDirectories(cacheDir);
            staging = Files.createTempDirectory(cacheDir, target.getFileName() + ".unpacking-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory in " + cacheDir, e);
        }
        try {
            run(List.of("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", staging.toAbsolutePath().toString()),
                    UNPACK_TIMEOUT, "unpacking " + tarball);
            if (!Files.isRegularFile(staging.resolve(jar.getFileName()))) {
                throw new IllegalStateException(tarball + " has no " + jar.getFileName() + " at its top level");
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Unpacked Apicurio Registry {} into {} in {} ms", version, target,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("cannot rename " + staging + " to " + target + " atomically", e);
        } catch (IOException e) {
            // rename(2) fails with ENOTEMPTY/EEXIST when another process renamed its copy first (Java reports
            // that as a plain FileSystemException); its copy is complete, because only whole copies are renamed
            if (!Files.isRegularFile(jar)) {
                throw new UncheckedIOException("cannot move " + staging + " to " + target, e);
            }
            LOG.debug("{} was unpacked concurrently by another process", target);
        } finally {
            Directories.deleteRecursively(staging);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(target + " exists but has no " + jar.getFileName()
                    + "; delete it and try again");
        }
        return jar;
    }

    private void run(List<String> command, Duration timeout, String what) {
        Path output;
        try {
            Files.createDirectories(cacheDir);
            output = Files.createTempFile("ferry-devkit-", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file", e);
        }
        try {
            Process process;
            try {
                // not inside a project, whose POM could pin another maven-dependency-plugin version
                process = new ProcessBuilder(command)
                        .directory(cacheDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException(what + ": cannot run '" + command.get(0)
                        + "' (is it installed and on the PATH?): " + e.getMessage(), e);
            }
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ChildProcesses.stop(process.toHandle(), Duration.ofSeconds(5));
                throw new IllegalStateException(what + ": gave up after " + timeout.toMinutes() + " minutes: "
                        + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + ": '" + String.join(" ", command) + "' exited with "
                        + process.exitValue() + System.lineSeparator() + ChildProcesses.tail(output, 40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    @Override
    public String toString() {
        return "Apicurio Registry " + version + " (" + coordinates() + ")";
    }
}
