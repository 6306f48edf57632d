package dev.ferry.executor;

import dev.ferry.executor.config.ConfigSection;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.kafka.KafkaEventSink;
import dev.ferry.executor.kafka.KafkaJobFeed;
import dev.ferry.executor.kafka.KafkaStatusHistory;
import dev.ferry.executor.model.Unsealer;
import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendContext;
import dev.ferry.executor.spi.BackendFactory;
import dev.ferry.schema.ConfigException;
import dev.ferry.schema.DeadLetterPublisher;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * One site's executor wired to Kafka from its {@link SiteConfig}: the backend (found by
 * {@code backend.type} among the {@link BackendFactory} services), the {@code jobs.<site>} feed,
 * the event producer, the status read-back, and the {@link ExecutorRuntime} loop on its own thread.
 */
public final class Executor implements AutoCloseable {

    /** Environment variable for Kafka's address when the file has none. */
    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    /** Environment variable for the registry's URL when the file has none. */
    public static final String REGISTRY_ENV = "FERRY_REGISTRY_URL";

    private final String site;
    private final Backend backend;
    private final ExecutorRuntime runtime;
    private final List<AutoCloseable> closeables;
    private final Thread thread;

    private Executor(String site, Backend backend, ExecutorRuntime runtime, List<AutoCloseable> closeables) {
        this.site = site;
        this.backend = backend;
        this.runtime = runtime;
        this.closeables = closeables;
        this.thread = new Thread(runtime, "ferry-executor-" + site);
    }

    /**
     * Builds everything (configuration errors are {@link ConfigException}s naming the key) without
     * starting the loop.
     *
     * @param siteOption  {@code --site}, or null to take the file's
     * @param environment where {@code KAFKA_BOOTSTRAP_SERVERS}, {@code FERRY_REGISTRY_URL} and the
     *                    backend commands' PATH come from
     */
    public static Executor create(SiteConfig config, String siteOption, Map<String, String> environment, Clock clock) {
        String site = config.resolveSite(siteOption);
        String bootstrap = firstNonBlank(config.kafka().bootstrapServers(), environment.get(BOOTSTRAP_ENV));
        if (bootstrap == null) {
            throw new ConfigException("kafka.bootstrapServers", "is required (or set " + BOOTSTRAP_ENV + ")");
        }
        String registry = firstNonBlank(config.registry().url(), environment.get(REGISTRY_ENV));
        if (registry == null) {
            throw new ConfigException("registry.url", "is required (or set " + REGISTRY_ENV + ")");
        }
        Topics topics = new Topics(config.topicsConfig(), new EventSerdes(SerdeConfig.forRegistry(registry)));
        String executorId = config.executor().idOr(hostName());
        Map<String, Object> kafkaProps = new HashMap<>(config.kafka().properties());
        String groupId = config.kafka().groupId() == null ? "ferry-executor-" + site : config.kafka().groupId();

        Backend backend = createBackend(config, site, environment, clock);
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            DeadLetterPublisher deadLetters = DeadLetterPublisher.create(bootstrap, topics, kafkaProps);
            closeables.add(deadLetters);
            KafkaJobFeed feed = new KafkaJobFeed(bootstrap, groupId, topics.jobs(site), deadLetters, kafkaProps);
            closeables.add(0, feed);
            KafkaEventSink sink = new KafkaEventSink(bootstrap, topics, "ferry-executor-" + site + "-events", kafkaProps);
            closeables.add(sink);
            KafkaStatusHistory history = new KafkaStatusHistory(bootstrap, topics.podStatus(), kafkaProps, Duration.ofMinutes(5));
            closeables.add(backend);
            ExecutorRuntime runtime = new ExecutorRuntime(site, executorId, config.executor(), config.pools(), backend, feed, sink,
                    history, new Unsealer(config.secrets().decoded()), clock);
            return new Executor(site, backend, runtime, closeables);
        } catch (RuntimeException e) {
            closeAll(closeables);
            backend.close();
            throw e;
        }
    }

    /** The backend named by {@code backend.type}, built from its section. */
    public static Backend createBackend(SiteConfig config, String site, Map<String, String> environment, Clock clock) {
        String type = config.backend().type();
        BackendFactory factory = null;
        List<String> known = new ArrayList<>();
        for (BackendFactory f : ServiceLoader.load(BackendFactory.class)) {
            known.add(f.type());
            if (f.type().equals(type)) {
                factory = f;
            }
        }
        if (factory == null) {
            throw new ConfigException("backend.type", "'" + type + "' has no implementation on the classpath (available: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
        }
        LocalCommandRunner runner = new LocalCommandRunner(
                LocalCommandRunner.environment(environment, config.backend().environment()),
                Path.of(System.getProperty("java.io.tmpdir")), config.backend().commandTimeout());
        ConfigSection section = config.backendSection();
        return factory.create(new BackendContext(site, section, clock, runner));
    }

    /** Starts the loop on its own thread. */
    public Executor start() {
        thread.start();
        return this;
    }

    public String site() {
        return site;
    }

    public Backend backend() {
        return backend;
    }

    public ExecutorRuntime runtime() {
        return runtime;
    }

    /** Asks the loop to finish what it has in hand and return. */
    public void stop() {
        runtime.stop();
    }

    /** Waits for the loop to return. */
    public boolean await(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        return !thread.isAlive();
    }

    /** Stops the loop (waiting up to 30 s) and closes the clients. */
    @Override
    public void close() {
        runtime.stop();
        try {
            if (thread.isAlive()) {
                thread.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeAll(closeables);
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Executor.class).warn("closing {} failed: {}", c, e.toString());
            }
        }
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        return b == null || b.isBlank() ? null : b.strip();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "executor";
        }
    }
}
