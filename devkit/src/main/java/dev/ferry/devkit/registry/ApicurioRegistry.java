package dev.ferry.devkit.registry;

import dev.ferry.devkit.Ports;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.process.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Apicurio Registry server (a Quarkus application, in-memory storage) run as a child process on
 * 127.0.0.1, with the global compatibility rule set to {@code BACKWARD} as Ferry's production registries have it.
 *
 * <pre>{@code
 * try (ApicurioRegistry registry = ApicurioRegistry.start()) {
 *     serdeConfig.put("apicurio.registry.url", registry.registryV3Url());
 * }
 * }</pre>
 *
 * <p>The server's output goes to {@code registry.log} in the work directory; a JVM shutdown hook stops the
 * server when this JVM exits.
 */
public final class ApicurioRegistry implements SchemaRegistry, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);
    private static final String HOST = "127.0.0.1";
    private static final int LOG_TAIL_LINES = 30;
    static final String CCOMPAT_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final Process process;
    private final String baseUrl;
    private final String version;
    private final Path workDir;
    private final Path logFile;
    private final boolean deleteWorkDirOnClose;
    private final Duration stopTimeout;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ApicurioRegistry(Process process, String baseUrl, String version, Path workDir, Path logFile,
                             boolean deleteWorkDirOnClose, Duration stopTimeout) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.version = version;
        this.workDir = workDir;
        this.logFile = logFile;
        this.deleteWorkDirOnClose = deleteWorkDirOnClose;
        this.stopTimeout = stopTimeout;
        this.shutdownHook = ChildProcesses.onShutdown("apicurio-registry-" + process.pid(), this::close);
    }

    /** Starts the registry with every default (the distribution from {@link RegistryDistribution#defaults()}). */
    public static ApicurioRegistry start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:PORT}. */
    @Override
    public String baseUrl() {
        return baseUrl;
    }

    /** The server's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The server's standard output and error. */
    public Path logFile() {
        return logFile;
    }

    /** Stops the server by its pid: SIGTERM, then SIGKILL after the stop timeout. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        boolean gone = ChildProcesses.stop(process.toHandle(), stopTimeout);
        ChildProcesses.removeShutdownHook(shutdownHook);
        if (gone && deleteWorkDirOnClose) {
            Directories.deleteRecursively(workDir);
        }
        LOG.info("Apicurio Registry {} (pid {}) at {} stopped in {} ms", version, pid(), baseUrl,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @Override
    public String toString() {
        return "Apicurio Registry " + version + " (pid " + pid() + ") at " + baseUrl;
    }

    /** Overrides for {@link ApicurioRegistry}; every setting has a default. */
    public static final class Builder {

        private RegistryDistribution distribution;
        private int port;
        private Path workDir;
        private String javaExecutable = ChildProcesses.javaExecutable();
        private List<String> jvmOptions = List.of("-Xmx384m", "-XX:+UseSerialGC");
        private Duration startTimeout = Duration.ofSeconds(90);
        private Duration stopTimeout = Duration.ofSeconds(20);
        private String globalCompatibility = "BACKWARD";
        private final Map<String, String> systemProperties = new LinkedHashMap<>();

        private Builder() {
            // development conveniences: tests may delete what they registered
            systemProperties.put("apicurio.rest.deletion.group.enabled", "true");
            systemProperties.put("apicurio.rest.deletion.artifact.enabled", "true");
            systemProperties.put("apicurio.rest.deletion.artifact-version.enabled", "true");
        }

        /** Default: {@link RegistryDistribution#defaults()}. */
        public Builder distribution(RegistryDistribution distribution) {
            this.distribution = Objects.requireNonNull(distribution, "distribution");
            return this;
        }

        /** The HTTP port; default 0, a free port chosen by the operating system. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Where the log file goes (and the server's working directory); default a temporary one, deleted on close. */
        public Builder workDir(Path workDir) {
            this.workDir = Objects.requireNonNull(workDir, "workDir");
            return this;
        }

        public Builder javaExecutable(String javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
            return this;
        }

        /** JVM options of the server; default {@code -Xmx384m -XX:+UseSerialGC}. */
        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** How long {@link #start()} waits for {@code /health/ready}; default 90 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /** How long {@link #close()} waits after SIGTERM before SIGKILL; default 20 s. */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
            return this;
        }

        /** The global compatibility level set after start ({@code BACKWARD}, {@code FULL}, {@code NONE}, ...). */
        public Builder globalCompatibility(String level) {
            this.globalCompatibility = Objects.requireNonNull(level, "level");
            return this;
        }

        /** A server setting as a {@code -D} system property, e.g. {@code apicurio.ccompat.legacy-id-mode.enabled}. */
        public Builder systemProperty(String key, String value) {
            systemProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Unpacks the distribution if needed, launches the server, waits until {@code GET /health/ready} answers
         * 200, and sets the global compatibility.
         *
         * @throws IllegalStateException when the server exits or is not ready in time; the message names the log
         *                               file and quotes its last lines
         */
        public ApicurioRegistry start() {
            RegistryDistribution dist = distribution != null ? distribution : RegistryDistribution.defaults();
            Path runnerJar = dist.runnerJar();
            boolean temporary = workDir == null;
            Path dir = temporary ? Directories.createTemp("ferry-apicurio-") : workDir;
            Path logFile = dir.resolve("registry.log");
            int httpPort = port == 0 ? Ports.freePort() : port;
            String baseUrl = "http://" + HOST + ":" + httpPort;

            List<String> command = new ArrayList<>();
            command.add(javaExecutable);
            command.addAll(jvmOptions);
            command.add("-Dquarkus.http.host=" + HOST);
            command.add("-Dquarkus.http.port=" + httpPort);
            // Vert.x caches files under java.io.tmpdir by default; keep them with the rest of this server
            command.add("-Dvertx.cacheDirBase=" + dir.resolve("vertx-cache").toAbsolutePath());
            systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-jar");
            command.add(runnerJar.toAbsolutePath().toString());

            long started = System.nanoTime();
            Process process;
            try {
                Files.createDirectories(dir);
                process = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot launch " + javaExecutable + " for Apicurio Registry", e);
            }
            ApicurioRegistry registry = new ApicurioRegistry(process, baseUrl, dist.version(), dir, logFile,
                    temporary, stopTimeout);
            try {
                RegistryHttp http = new RegistryHttp(baseUrl);
                http.awaitReady(startTimeout, process,
                        () -> "log " + logFile + ", last lines:" + System.lineSeparator()
                                + ChildProcesses.tail(logFile, LOG_TAIL_LINES));
                http.setGlobalCompatibility(globalCompatibility);
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
            LOG.info("Apicurio Registry {} (pid {}) ready at {} in {} ms (log {})", dist.version(), process.pid(),
                    baseUrl, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logFile);
            return registry;
        }
    }

    /** The few HTTP calls the launcher makes itself. */
    private static final class RegistryHttp {

        private final String baseUrl;
        private final HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();

        RegistryHttp(String baseUrl) {
            this.baseUrl = baseUrl;
        }

        void awaitReady(Duration timeout, Process process, java.util.function.Supplier<String> diagnostics) {
            long deadline = System.nanoTime() + timeout.toNanos();
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/health/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build();
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Apicurio Registry at " + baseUrl + " exited with "
                            + process.exitValue() + " before it was ready; " + diagnostics.get());
                }
                try {
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                    last = "HTTP " + response.statusCode() + " " + response.body();
                } catch (IOException e) {
                    last = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Apicurio Registry at " + baseUrl, e);
                }
                pause();
            }
            throw new IllegalStateException("Apicurio Registry at " + baseUrl + " was not ready within "
                    + timeout.toSeconds() + " s (last answer from /health/ready: " + last + "); "
                    + diagnostics.get());
        }

        void setGlobalCompatibility(String level) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/apis/ccompat/v7/config"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", CCOMPAT_CONTENT_TYPE)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}"))
                    .build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 != 2) {
                    throw new IllegalStateException("setting global compatibility " + level + " on " + baseUrl
                            + " answered HTTP " + response.statusCode() + ": " + response.body());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("setting global compatibility " + level + " on " + baseUrl, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while configuring Apicurio Registry at " + baseUrl, e);
            }
        }

        private static void pause() {
            try {
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
            }
        }
    }
}
