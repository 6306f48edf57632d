package dev.ferry.devkit.kafka;

import dev.ferry.devkit.Versions;
import dev.ferry.devkit.process.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker running inside this JVM: one KRaft node that is both broker and controller, listening on
 * 127.0.0.1 on ports chosen by the operating system, with every internal topic sized for one node
 * (replication factor 1, one partition), so consumer groups and transactions work at once.
 *
 * <p>Topics are not created on first use unless {@link Builder#autoCreateTopics(boolean)} says so: Ferry creates
 * its topics explicitly, and tests should notice when it does not.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *     props.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int BIND_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final BrokerSettings settings;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, BrokerSettings settings, Path dataDir,
                                boolean deleteDataDirOnClose) {
        this.server = server;
        this.settings = settings;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
    }

    /** Starts a broker on a fresh temporary directory, deleted again by {@link #close()}. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    /**
     * Starts a broker whose data lives in {@code dataDir} (created if needed, kept by {@link #close()}); a
     * directory formatted by an earlier run is reused as it is.
     */
    public static EmbeddedKafkaBroker start(Path dataDir) {
        return builder().dataDir(dataDir).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    @Override
    public String describe() {
        return "embedded KRaft broker " + Versions.kafka() + " at " + bootstrapServers();
    }

    /** The directory that holds the server properties and the log directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down and waits for it; deletes the data directory when it was a temporary one. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                Directories.deleteRecursively(dataDir);
            }
        }
        LOG.info("Embedded Kafka broker at {} stopped in {} ms", bootstrapServers(), millisSince(started));
    }

    @Override
    public String toString() {
        return describe();
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    /** Overrides for {@link EmbeddedKafkaBroker}; every setting has a default. */
    public static final class Builder {

        private Path dataDir;
        private int brokerPort;
        private int controllerPort;
        private boolean autoCreateTopics;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** Where the data lives; kept after close. Default: a temporary directory deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** The client (PLAINTEXT) port; default 0, a free port chosen by the operating system. */
        public Builder brokerPort(int port) {
            this.brokerPort = port;
            return this;
        }

        /** The controller (KRaft) port; default 0, a free port chosen by the operating system. */
        public Builder controllerPort(int port) {
            this.controllerPort = port;
            return this;
        }

        /** Whether producing to or fetching metadata for an unknown topic creates it; default false. */
        public Builder autoCreateTopics(boolean autoCreateTopics) {
            this.autoCreateTopics = autoCreateTopics;
            return this;
        }

        /** How long {@link #start()} waits for the broker to answer clients; default 60 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /** Any broker setting, applied last (so it wins over the devkit's defaults). */
        public Builder property(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Formats the storage, starts the broker and waits until it answers a describeCluster request.
         *
         * @throws IllegalStateException when it cannot start or is not ready in time; the message names the address
         */
        public EmbeddedKafkaBroker start() {
            boolean temporary = dataDir == null;
            Path dir = temporary ? Directories.createTemp("ferry-kafka-") : dataDir;
            long started = System.nanoTime();
            for (int attempt = 1; ; attempt++) {
                PortChoice ports = PortChoice.choose(brokerPort, controllerPort, dir);
                BrokerSettings settings = new BrokerSettings(ports.brokerPort(), ports.controllerPort(),
                        dir.resolve("logs"), autoCreateTopics, overrides);
                boolean formattedBefore = KafkaStorage.isFormatted(settings.logDir());
                try {
                    EmbeddedKafkaBroker broker = startOnce(settings, dir, temporary);
                    LOG.info("Embedded KRaft broker {} ready at {} in {} ms (data in {})", Versions.kafka(),
                            broker.bootstrapServers(), millisSince(started), dir);
                    return broker;
                } catch (RuntimeException e) {
                    // the OS may hand a port from Ports.freePort() to someone else before Kafka binds it
                    if (ports.freshlyChosen() && attempt < BIND_ATTEMPTS && causedByBindException(e)) {
                        LOG.info("A port was taken before the broker bound it ({}); retrying with other ports",
                                e.toString());
                        if (!formattedBefore) {
                            // the quorum was formatted with the lost controller port: format anew
                            Directories.deleteRecursively(settings.logDir());
                        }
                        continue;
                    }
                    if (temporary) {
                        Directories.deleteRecursively(dir);
                    }
                    throw e;
                }
            }
        }

        private EmbeddedKafkaBroker startOnce(BrokerSettings settings, Path dir, boolean temporary) {
            try {
                Files.createDirectories(settings.logDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + settings.logDir(), e);
            }
            Path propertiesFile = dir.resolve("server.properties");
            settings.writeTo(propertiesFile);
            KafkaStorage.formatIfNeeded(propertiesFile, settings.logDir());

            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(settings.toProperties()), Time.SYSTEM);
            try {
                server.startup();
                BrokerReadiness.await(settings.bootstrapServers(), startTimeout, () -> null, () -> "");
            } catch (RuntimeException e) {
                shutdownQuietly(server, e);
                throw new IllegalStateException("embedded Kafka broker at " + settings.bootstrapServers()
                        + " did not start: " + e.getMessage(), e);
            }
            return new EmbeddedKafkaBroker(server, settings, dir, temporary);
        }

        private static void shutdownQuietly(KafkaRaftServer server, RuntimeException cause) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }

        private static boolean causedByBindException(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    return true;
                }
            }
            return false;
        }
    }
}
