package dev.ferry.cli;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.kafka.KafkaBrokerProcess;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.registry.ApicurioRegistry;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.TopicAdmin.TopicChange;
import dev.ferry.schema.TopicsConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ferry dev} runs on one machine: a real KRaft broker (a child JVM on this JVM's classpath), the
 * real Apicurio Registry (a child process), Ferry's topics on that broker, the development Kubernetes API server,
 * and, in this JVM, the router, one site's executor and the gateway with its two virtual nodes ({@link DevServices}).
 *
 * <p>Every part that starts is pushed on a stack of {@link Component}s; {@link #close()}, and a failed
 * {@link #start(DevOptions)}, stop them in reverse order.
 *
 * <p>The work directory is locked while the environment is open (one {@code ferry dev} per directory) and holds:
 * <pre>
 *   kafka/             the broker's server.properties, data (logs/) and log file (kafka.log); kept across runs
 *   registry/          the registry's log file (registry.log); its storage is in memory
 *   kubeconfig         for the development Kubernetes API server (in memory), while the environment is up
 *   router/            the router's state stores
 *   site/              the executor's site.yaml and the secret key (while up), and the pods' job directories (jobs/)
 *   env                export lines for another shell, while the environment is up
 *   ferry-dev.lock     the lock, with the holder's pid
 * </pre>
 */
public final class DevEnvironment implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevEnvironment.class);

    public static final String KAFKA_BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String REGISTRY_URL_ENV = ConfigValues.envName(SerdeConfig.REGISTRY_URL);
    public static final String TOPIC_PREFIX_ENV = ConfigValues.envName(TopicsConfig.PREFIX);
    public static final String KUBECONFIG_ENV = "KUBECONFIG";
    static final String ENV_FILE = "env";
    static final String KUBECONFIG_FILE = "kubeconfig";

    /** The child broker runs on this JVM's classpath, whose logback.xml is the CLI's; this one writes its INFO log. */
    static final String BROKER_LOGBACK = "dev/ferry/cli/kafka-broker-logback.xml";
    /**
     * Both children compile with C1 only: on two cores, starting two JVMs at once is bound by the JIT, and this
     * takes {@code ferry dev} from about 11 s to under 8 s. Fine for development; not for throughput measurements.
     */
    private static final String QUICK_START = "-XX:TieredStopAtLevel=1";
    private static final List<String> BROKER_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", QUICK_START,
            "-Dlogback.configurationFile=" + BROKER_LOGBACK);
    private static final List<String> REGISTRY_JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", QUICK_START);
    private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 20;

    private final DevOptions options;
    private final Path workDir;
    private final Components components;
    private final KafkaBrokerProcess kafka;
    private final ApicurioRegistry registry;
    private final DevApiServer api;
    private final Path kubeconfig;
    private final DevServices services;
    private final List<TopicChange> topicChanges;
    private final Duration startupTime;
    private final Path envFile;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<String> unexpectedExit = new CompletableFuture<>();

    private DevEnvironment(DevOptions options, Path workDir, Components components, KafkaBrokerProcess kafka,
                           ApicurioRegistry registry, DevApiServer api, Path kubeconfig, DevServices services,
                           List<TopicChange> topicChanges, Duration startupTime, Path envFile) {
        this.options = options;
        this.workDir = workDir;
        this.components = components;
        this.kafka = kafka;
        this.registry = registry;
        this.api = api;
        this.kubeconfig = kubeconfig;
        this.services = services;
        this.topicChanges = List.copyOf(topicChanges);
        this.startupTime = startupTime;
        this.envFile = envFile;
        components.watchProcesses(closed, unexpectedExit);
    }

    /**
     * Starts the broker and the registry in parallel (each takes seconds), creates or updates the topics as soon
     * as the broker answers, and writes the {@code env} file.
     *
     * @throws CliException with {@link Ferry#EXIT_FAILED} when something does not start (the message says what and
     *                      where its log is) or another {@code ferry dev} uses the work directory; whatever did
     *                      start is stopped again first
     */
    public static DevEnvironment start(DevOptions options) {
        long began = System.nanoTime();
        Path workDir = options.workDir().toAbsolutePath().normalize();
        Components components = new Components();
        try {
            createDirectories(workDir);
            components.push(Component.of("work directory lock", WorkDirLock.acquire(workDir)));
            LOG.info("Starting Kafka and the schema registry in {}", workDir);

            ExecutorService starters = Executors.newFixedThreadPool(2, daemonThreads("ferry-dev-start-"));
            AtomicReference<Failure> firstFailure = new AtomicReference<>();
            CompletableFuture<KafkaBrokerProcess> kafkaStart =
                    CompletableFuture.supplyAsync(() -> startKafka(workDir.resolve("kafka"), options), starters);
            CompletableFuture<ApicurioRegistry> registryStart =
                    CompletableFuture.supplyAsync(() -> startRegistry(workDir.resolve("registry"), options), starters);
            // the topics need only the broker: they are created while the registry is still starting
            CompletableFuture<List<TopicChange>> topicsApply = kafkaStart.thenApplyAsync(
                    broker -> FerryTopics.apply(broker.bootstrapServers(), TOPICS_TIMEOUT, options.topics(),
                            options.sites()), starters);
            // the first failure interrupts the other starts: an interrupted launcher stops the process it started
            CompletableFuture<?> kafkaDone = onFailure(kafkaStart, "the Kafka broker did not start", firstFailure,
                    starters);
            CompletableFuture<?> registryDone = onFailure(registryStart, "the schema registry did not start",
                    firstFailure, starters);
            // when the broker failed, so did the topics, for the same reason: that failure counts as the broker's
            CompletableFuture<?> topicsDone = onFailure(topicsApply.exceptionallyCompose(failure ->
                            kafkaStart.isCompletedExceptionally() ? CompletableFuture.completedFuture(null)
                                    : CompletableFuture.failedFuture(failure)),
                    "the topics could not be created", firstFailure, starters);
            // these complete after their callbacks ran, so firstFailure is final once they have
            CompletableFuture.allOf(kafkaDone, registryDone, topicsDone).handle((ok, failure) -> null).join();
            starters.shutdownNow();

            KafkaBrokerProcess kafka = startedOrNull(kafkaStart);
            if (kafka != null) {
                components.push(Component.process("Kafka broker", kafka, kafka.pid(), kafka.logFile()));
            }
            ApicurioRegistry registry = startedOrNull(registryStart);
            if (registry != null) {
                components.push(Component.process("schema registry", registry, registry.pid(), registry.logFile()));
            }
            Failure failure = firstFailure.get();
            if (failure != null) {
                throw new CliException(Ferry.EXIT_FAILED, failure.what() + " (everything else was stopped again): "
                        + failure.cause().getMessage(), failure.cause());
            }
            List<TopicChange> topicChanges = topicsApply.join();

            DevApiServer api = startApiServer(options);
            components.push(Component.of("development API server", api));
            Path kubeconfig = api.writeKubeconfig(workDir.resolve(KUBECONFIG_FILE));
            components.push(Component.of("kubeconfig", () -> Files.deleteIfExists(kubeconfig)));
            DevServices services = DevServices.start(workDir, options, kafka.bootstrapServers(), registry.baseUrl(),
                    kubeconfig, components::push);

            Path envFile = workDir.resolve(ENV_FILE);
            EnvFile.write(envFile, EnvFile.render("written by ferry dev (pid " + ProcessHandle.current().pid()
                    + ") at " + Instant.now() + "; deleted when it stops. Use: . " + envFile,
                    environmentVariables(kafka, registry, kubeconfig, options.topics())));
            components.push(Component.of("env file", () -> Files.deleteIfExists(envFile)));

            Duration took = Duration.ofNanos(System.nanoTime() - began);
            LOG.info("Ferry dev is up in {} ms", took.toMillis());
            return new DevEnvironment(options, workDir, components, kafka, registry, api, kubeconfig, services,
                    topicChanges, took, envFile);
        } catch (RuntimeException e) {
            components.closeAll();
            throw e;
        }
    }

    private static KafkaBrokerProcess startKafka(Path dir, DevOptions options) {
        createDirectories(dir);
        return KafkaBrokerProcess.builder(dir)
                .brokerPort(options.kafkaPort())
                .classpath(absoluteClasspath(System.getProperty("java.class.path")))
                .jvmOptions(BROKER_JVM_OPTIONS)
                .start();
    }

    /** In memory, up in milliseconds: started once the rest is up. */
    private static DevApiServer startApiServer(DevOptions options) {
        try {
            return DevApiServer.builder().port(options.apiPort()).build().start();
        } catch (java.io.UncheckedIOException e) {
            throw new CliException(Ferry.EXIT_FAILED, "the development Kubernetes API server did not start "
                    + "(everything else was stopped again): " + e.getMessage() + ": " + e.getCause(), e);
        }
    }

    private static ApicurioRegistry startRegistry(Path dir, DevOptions options) {
        return ApicurioRegistry.builder()
                .workDir(dir)
                .port(options.registryPort())
                .jvmOptions(REGISTRY_JVM_OPTIONS)
                .start();
    }

    /**
     * The child broker starts in its own directory, so a relative classpath entry (as {@code java -jar
     * target/ferry.jar} gives) must be made absolute first.
     */
    static String absoluteClasspath(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator))
                .map(entry -> Paths.get(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private record Failure(String what, Throwable cause) {
    }

    /** Records the first failure and interrupts the other steps; the result completes once that is done. */
    private static CompletableFuture<?> onFailure(CompletableFuture<?> step, String what,
                                                  AtomicReference<Failure> first, ExecutorService starters) {
        return step.whenComplete((result, failure) -> {
            if (failure != null && first.compareAndSet(null, new Failure(what, unwrap(failure)))) {
                starters.shutdownNow();
            }
        });
    }

    private static <T> T startedOrNull(CompletableFuture<T> future) {
        return future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static Map<String, String> environmentVariables(KafkaBrokerProcess kafka, ApicurioRegistry registry,
                                                            Path kubeconfig, TopicsConfig topics) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(KAFKA_BOOTSTRAP_ENV, kafka.bootstrapServers());
        variables.put(REGISTRY_URL_ENV, registry.baseUrl());
        variables.put(KUBECONFIG_ENV, kubeconfig.toString());
        if (!topics.prefix().equals(TopicsConfig.defaults().prefix())) {
            variables.put(TOPIC_PREFIX_ENV, topics.prefix());
        }
        return variables;
    }

    /**
     * {@code KAFKA_BOOTSTRAP_SERVERS}, {@code FERRY_REGISTRY_URL}, {@code KUBECONFIG} (and the topic prefix, when
     * not the default).
     */
    public Map<String, String> environmentVariables() {
        return environmentVariables(kafka, registry, kubeconfig, options.topics());
    }

    /** The router, gateway and executor running in this JVM. */
    public DevServices services() {
        return services;
    }

    /** The development Kubernetes API server's URL, e.g. {@code http://127.0.0.1:PORT}. */
    public String apiServerUrl() {
        return api.url();
    }

    /** The kubeconfig for the development API server ({@code <work-dir>/kubeconfig}); deleted when it stops. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** {@code http://127.0.0.1:PORT}, the value for {@code ferry.registry.url}. */
    public String registryUrl() {
        return registry.baseUrl();
    }

    /** The Confluent-compatible API, for Confluent serdes and tools. */
    public String ccompatUrl() {
        return registry.ccompatUrl();
    }

    public long kafkaPid() {
        return kafka.pid();
    }

    public long registryPid() {
        return registry.pid();
    }

    public Path kafkaLog() {
        return kafka.logFile();
    }

    public Path registryLog() {
        return registry.logFile();
    }

    /** The file of {@code export} lines; it exists while the environment is open. */
    public Path envFile() {
        return envFile;
    }

    public Path workDir() {
        return workDir;
    }

    /** What applying the topics did, one entry per topic. */
    public List<TopicChange> topicChanges() {
        return topicChanges;
    }

    /** From {@link #start(DevOptions)} until everything was up. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Completes, with a message naming the process and its log, when a process this environment started exits
     * while it is open (e.g. the broker crashed); never completes for exits caused by {@link #close()}.
     */
    public CompletableFuture<String> unexpectedExit() {
        return unexpectedExit;
    }

    /** The lines {@code ferry dev} prints once it is up; paths are shown relative to {@code base} when under it. */
    public String describe(Path base) {
        String sites = options.sites().stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", "));
        String row = "  %-16s %-24s %-26s %s%n";
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Ferry dev is up (took %.1f s):%n", startupTime.toMillis() / 1000.0));
        text.append(String.format(Locale.ROOT, row, "Kafka", bootstrapServers(), "(" + KAFKA_BOOTSTRAP_ENV + ")",
                "log: " + shown(base, kafkaLog())));
        text.append(String.format(Locale.ROOT, row, "Schema registry", registryUrl(), "(" + REGISTRY_URL_ENV + ")",
                "log: " + shown(base, registryLog())));
        text.append(String.format(Locale.ROOT, "  %-16s Confluent API: %s%n", "", ccompatUrl()));
        text.append(String.format(Locale.ROOT, row, "Kubernetes API", apiServerUrl(), "(" + KUBECONFIG_ENV + ")",
                "kubeconfig: " + shown(base, kubeconfig)));
        text.append(String.format(Locale.ROOT, "  %-16s development API server, in memory: kubectl --kubeconfig %s "
                + "get pods%n", "", shown(base, kubeconfig)));
        text.append(String.format(Locale.ROOT, "  %-16s %s (Kafka Streams, exactly-once; state in %s)%n", "Router",
                services.routerId(), shown(base, services.routerStateDir())));
        text.append(String.format(Locale.ROOT, "  %-16s virtual nodes %s and %s (for interLink pod specs); log "
                + "endpoint on port %d%n", "Gateway", services.nodeName(), DevServices.INTERLINK_NODE,
                services.kubeletPort()));
        text.append(String.format(Locale.ROOT, "  %-16s site %s: %s (site.yaml: %s)%n", "Executor", services.site(),
                DevSite.describe(services.siteKind()), shown(base, services.siteYaml())));
        text.append(String.format(Locale.ROOT, "  %-16s %s* (%d topics, site%s %s): %s%n", "Topics",
                options.topics().prefix(), topicChanges.size(), options.sites().size() == 1 ? "" : "s", sites,
                changeCounts()));
        text.append(String.format(Locale.ROOT, "  %-16s . %s   (sets the variables above in another shell)%n",
                "Environment", shown(base, envFile)));
        text.append(String.format(Locale.ROOT, "Try: kubectl --kubeconfig %s apply --validate=false -f "
                + "deploy/examples/hello.yaml; then get pods -w, logs hello, describe pod hello%n", shown(base, kubeconfig)));
        text.append("Stop with Ctrl-C.");
        return text.toString();
    }

    private String changeCounts() {
        Map<String, Long> counts = topicChanges.stream().collect(Collectors.groupingBy(
                c -> c.kind().name().toLowerCase(Locale.ROOT), LinkedHashMap::new, Collectors.counting()));
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private static String shown(Path base, Path path) {
        Path absoluteBase = base.toAbsolutePath().normalize();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(absoluteBase) && !absolute.equals(absoluteBase)
                ? absoluteBase.relativize(absolute).toString() : absolute.toString();
    }

    /** Stops everything that was started, in reverse order (gateway first, Kafka last). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long began = System.nanoTime();
            components.closeAll();
            LOG.info("Ferry dev stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException(Ferry.EXIT_FAILED, "cannot create the work directory " + dir + ": " + e, e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One part of the environment: how to stop it and, for a child process, its pid and log file. */
    public record Component(String name, AutoCloseable stop, Optional<Long> pid, Optional<Path> log) {

        public static Component of(String name, AutoCloseable stop) {
            return new Component(name, stop, Optional.empty(), Optional.empty());
        }

        static Component process(String name, AutoCloseable stop, long pid, Path log) {
            return new Component(name, stop, Optional.of(pid), Optional.of(log));
        }
    }

    /** The started components, last one first. */
    private static final class Components {

        private final Deque<Component> stack = new ArrayDeque<>();

        synchronized void push(Component component) {
            stack.push(component);
        }

        /** Stops every component, newest first; a failure to stop one is logged and the others still stop. */
        synchronized void closeAll() {
            while (!stack.isEmpty()) {
                Component component = stack.pop();
                try {
                    component.stop().close();
                } catch (Exception e) {
                    LOG.warn("Could not stop the {}: {}", component.name(), e.toString());
                }
            }
        }

        /** Completes {@code exited} when a child process ends while {@code closed} is still false. */
        synchronized void watchProcesses(AtomicBoolean closed, CompletableFuture<String> exited) {
            List<Component> processes = new ArrayList<>(stack);
            for (Component component : processes) {
                component.pid().flatMap(ProcessHandle::of).ifPresent(handle -> handle.onExit().thenRun(() -> {
                    if (!closed.get()) {
                        Path log = component.log().orElseThrow();
                        exited.complete(component.name() + " (pid " + handle.pid() + ") exited unexpectedly; its log "
                                + log + " ends with:" + System.lineSeparator() + ChildProcesses.tail(log, LOG_TAIL_LINES));
                    }
                }));
            }
        }
    }
}
