package dev.ferry.devkit.kafka;

import dev.ferry.devkit.Versions;
import dev.ferry.devkit.process.ChildProcesses;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same single-node KRaft broker as {@link EmbeddedKafkaBroker}, run as a child JVM ({@code kafka.Kafka}) so
 * that {@code ferry dev} can keep the broker's threads and heap apart from its own, and show its log in a file.
 *
 * <p>The work directory holds {@code server.properties}, the data ({@code logs/}) and the broker's output
 * ({@code kafka.log}); it is kept on close, so a later start on the same directory finds its topics again (and
 * reuses its ports, which the formatted quorum remembers).
 *
 * <p><b>Classpath assumption:</b> the child runs with this JVM's {@code java.class.path}, which must contain
 * {@code kafka_2.13} and its dependencies: true for tests (Maven puts the devkit's dependencies on it) and for the
 * {@code ferry} CLI, whose shaded jar contains {@code kafka_2.13}. Storage is formatted inside this JVM before
 * the child starts. A JVM shutdown hook stops the child when this JVM exits (e.g. on Ctrl-C).
 */
public final class KafkaBrokerProcess implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final int LOG_TAIL_LINES = 30;

    private final Process process;
    private final BrokerSettings settings;
    private final Path workDir;
    private final Path logFile;
    private final Duration stopTimeout;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBrokerProcess(Process process, BrokerSettings settings, Path workDir, Path logFile,
                               Duration stopTimeout) {
        this.process = process;
        this.settings = settings;
        this.workDir = workDir;
        this.logFile = logFile;
        this.stopTimeout = stopTimeout;
        this.shutdownHook = ChildProcesses.onShutdown("kafka-broker-" + process.pid(), this::close);
    }

    /** Starts a broker in {@code workDir} with every default. */
    public static KafkaBrokerProcess start(Path workDir) {
        return builder(workDir).start();
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    @Override
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    @Override
    public String describe() {
        return "KRaft broker " + Versions.kafka() + " (pid " + pid() + ") at " + bootstrapServers();
    }

    /** The child JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the child JVM is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    public Path workDir() {
        return workDir;
    }

    /** The broker's standard output and error. */
    public Path logFile() {
        return logFile;
    }

    /** Stops the child: SIGTERM (a clean controlled shutdown), then SIGKILL after the stop timeout. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        boolean gone = ChildProcesses.stop(process.toHandle(), stopTimeout);
        ChildProcesses.removeShutdownHook(shutdownHook);
        if (gone) {
            LOG.info("Kafka broker process {} at {} stopped in {} ms", pid(), bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } else {
            LOG.warn("Kafka broker process {} at {} is still alive after SIGKILL", pid(), bootstrapServers());
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** The child runs in its work directory, so relative classpath entries must be made absolute first. */
    static String absolute(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Overrides for {@link KafkaBrokerProcess}; everything but the work directory has a default. */
    public static final class Builder {

        private final Path workDir;
        private int brokerPort;
        private int controllerPort;
        private boolean autoCreateTopics;
        private String classpath = System.getProperty("java.class.path");
        private String javaExecutable = ChildProcesses.javaExecutable();
        private List<String> jvmOptions = List.of("-Xmx512m", "-XX:+UseSerialGC");
        private Duration startTimeout = Duration.ofSeconds(90);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder(Path workDir) {
            this.workDir = Objects.requireNonNull(workDir, "workDir");
        }

        /** The client (PLAINTEXT) port; default: the one of the earlier run on this directory, else a free one. */
        public Builder brokerPort(int port) {
            this.brokerPort = port;
            return this;
        }

        /** The controller port; default: the one of the earlier run on this directory, else a free one. */
        public Builder controllerPort(int port) {
            this.controllerPort = port;
            return this;
        }

        /** Whether unknown topics are created on first use; default false. */
        public Builder autoCreateTopics(boolean autoCreateTopics) {
            this.autoCreateTopics = autoCreateTopics;
            return this;
        }

        /** The child's classpath; default this JVM's {@code java.class.path}. It must contain {@code kafka_2.13}. */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** Default: the {@code java} of this JVM. */
        public Builder javaExecutable(String javaExecutable) {
            this.javaExecutable = Objects.requireNonNull(javaExecutable, "javaExecutable");
            return this;
        }

        /** JVM options of the child; default {@code -Xmx512m -XX:+UseSerialGC}. */
        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }

        /** How long {@link #start()} waits for the broker to answer clients; default 90 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /** How long {@link #close()} waits after SIGTERM before SIGKILL; default 30 s. */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
            return this;
        }

        /** Any broker setting, applied last. */
        public Builder property(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Writes {@code server.properties}, formats the storage (inside this JVM), launches the child and waits
         * until it answers a describeCluster request.
         *
         * @throws IllegalStateException when the child exits or is not ready in time; the message names the
         *                               address and quotes the end of its log file
         */
        public KafkaBrokerProcess start() {
            long started = System.nanoTime();
            PortChoice ports = PortChoice.choose(brokerPort, controllerPort, workDir);
            BrokerSettings settings = new BrokerSettings(ports.brokerPort(), ports.controllerPort(),
                    workDir.resolve("logs"), autoCreateTopics, overrides);
            Path propertiesFile = workDir.resolve("server.properties");
            Path logFile = workDir.resolve("kafka.log");
            try {
                Files.createDirectories(settings.logDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + settings.logDir(), e);
            }
            settings.writeTo(propertiesFile);
            KafkaStorage.formatIfNeeded(propertiesFile, settings.logDir());

            List<String> command = new ArrayList<>();
            command.add(javaExecutable);
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(absolute(classpath));
            command.add("kafka.Kafka");
            command.add(propertiesFile.toAbsolutePath().toString());
            Process process;
            try {
                process = new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.PIPE)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot launch " + javaExecutable + " for the Kafka broker", e);
            }
            KafkaBrokerProcess broker = new KafkaBrokerProcess(process, settings, workDir, logFile, stopTimeout);
            try {
                BrokerReadiness.await(settings.bootstrapServers(), startTimeout,
                        () -> process.isAlive() ? null : "its process " + process.pid() + " exited with "
                                + process.exitValue(),
                        () -> System.lineSeparator() + "last lines of " + logFile + ":" + System.lineSeparator()
                                + ChildProcesses.tail(logFile, LOG_TAIL_LINES));
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            LOG.info("KRaft broker {} process {} ready at {} in {} ms (log {})", Versions.kafka(), process.pid(),
                    settings.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logFile);
            return broker;
        }
    }
}
