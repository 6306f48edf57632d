package dev.ferry.devkit.apiserver;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.devkit.apiserver.model.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A <b>development</b> Kubernetes API server: in memory, one process, for tests and {@code ferry dev} on machines
 * where no real kube-apiserver can run. It is not a production API server: there is no authentication, no
 * authorization, no admission, no OpenAPI schemas (only a paths-only OpenAPI v3, so {@code kubectl apply} from 1.29 on
 * works without {@code --validate=false}; fields are not checked against schemas), no protobuf, no server-side apply
 * (415), no garbage collector, no persistence, no exec/attach/port-forward, and only the kinds
 * below.
 *
 * <p>What it does have are the semantics clients depend on, so that code tested against it behaves the same against
 * a real cluster (see {@link ObjectStore} for the details):
 * <ul>
 *   <li>pods, nodes, namespaces, events (core/v1 and events.k8s.io/v1, one store), configmaps, secrets, and
 *       coordination.k8s.io/v1 leases;</li>
 *   <li>one global resourceVersion and optimistic concurrency (409 on a stale resourceVersion, status writes
 *       included); the status subresource rules; JSON Patch, merge patch, and strategic merge patch for the keyed
 *       lists that matter;</li>
 *   <li>label selectors and the field selectors {@code metadata.name}, {@code metadata.namespace},
 *       {@code spec.nodeName}, {@code status.phase}, {@code involvedObject.*} (and a few more per kind);</li>
 *   <li>graceful pod deletion and finalizers;</li>
 *   <li>watches over HTTP chunked streaming (not WebSocket: a WebSocket watch gets 503, on which fabric8 falls back
 *       to HTTP; or set fabric8's {@code onlyHttpWatches}), from a resourceVersion out of a bounded event log, 410
 *       Expired when it is older than the log; bookmarks when allowed;</li>
 *   <li>discovery and server-side Table printing, so {@code kubectl get}, {@code describe}, {@code apply}
 *       (client-side), {@code delete}, {@code logs} work;</li>
 *   <li>{@code pods/log} proxied to the node's kubelet endpoint ({@link KubeletLogProxy});</li>
 *   <li>a minimal scheduler ({@link Scheduler}) in place of kube-scheduler.</li>
 * </ul>
 *
 * <pre>{@code
 * try (DevApiServer api = DevApiServer.builder().port(0).build().start()) {
 *     api.writeKubeconfig(dir.resolve("kubeconfig"));   // cluster, context and user "ferry-dev"
 *     // kubectl --kubeconfig ... get pods; new KubernetesClientBuilder().withConfig(...)
 * }
 * }</pre>
 */
public final class DevApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevApiServer.class);
    /** The name of the cluster, context and user in the kubeconfig this server writes. */
    public static final String KUBECONFIG_NAME = "ferry-dev";

    static {
        // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise, which costs each small answer a
        // delayed-ACK wait (about 40 ms on Linux). Read once, when its configuration class loads: set it first.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Builder config;
    private final ObjectStore store;
    private volatile HttpServer server;
    private volatile ExecutorService executor;
    private volatile Scheduler scheduler;
    private volatile boolean stopping;
    private volatile String url;

    private DevApiServer(Builder config) {
        this.config = config;
        this.store = new ObjectStore(config.clock, config.eventLogCapacity, config.eventTtl);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving (and scheduling).
     *
     * @return this server
     * @throws UncheckedIOException when the address cannot be bound
     */
    public synchronized DevApiServer start() {
        if (server != null) {
            throw new IllegalStateException("the development API server is already started at " + url);
        }
        try {
            InetAddress address = InetAddress.getByName(config.host);
            HttpServer http = HttpServer.create(new InetSocketAddress(address, config.port), 128);
            AtomicInteger threads = new AtomicInteger();
            executor = Executors.newCachedThreadPool(task -> {
                Thread thread = new Thread(task, "ferry-dev-apiserver-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            http.setExecutor(executor);
            int port = http.getAddress().getPort();
            String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
            url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            http.createContext("/", new ApiHandler(store, new KubeletLogProxy(store), () -> stopping,
                    host + ":" + port));
            http.start();
            server = http;
            if (config.scheduler) {
                scheduler = new Scheduler(store);
                scheduler.start();
            }
            LOG.info("Development Kubernetes API server listening on {} (in memory; no auth)", url);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("the development API server cannot listen on " + config.host + ":"
                    + config.port, e);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        if (url == null) {
            throw new IllegalStateException("the development API server is not started");
        }
        return url;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * A kubeconfig for this server: cluster, context and user named {@value #KUBECONFIG_NAME}, namespace
     * {@code default}, no credentials.
     */
    public String kubeconfig() {
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + KUBECONFIG_NAME + "\n"
                + "  cluster:\n"
                + "    server: " + url() + "\n"
                + "contexts:\n"
                + "- name: " + KUBECONFIG_NAME + "\n"
                + "  context:\n"
                + "    cluster: " + KUBECONFIG_NAME + "\n"
                + "    user: " + KUBECONFIG_NAME + "\n"
                + "    namespace: default\n"
                + "current-context: " + KUBECONFIG_NAME + "\n"
                + "preferences: {}\n"
                + "users:\n"
                + "- name: " + KUBECONFIG_NAME + "\n"
                + "  user: {}\n";
    }

    /**
     * Writes {@link #kubeconfig()} to a file (creating its directory), readable by the owner only.
     *
     * @return the file
     */
    public Path writeKubeconfig(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, kubeconfig(), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(
                        "rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: leave the default permissions
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kubeconfig " + file, e);
        }
    }

    /** Stops serving: open watches end, the scheduler stops, every object is gone. */
    @Override
    public synchronized void close() {
        if (server == null || stopping) {
            return;
        }
        stopping = true;
        if (scheduler != null) {
            scheduler.close();
        }
        store.closeWatches();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Development Kubernetes API server at {} stopped", url);
    }

    /**
     * Runs the server until the process is stopped.
     * Arguments: {@code [--port N] [--host ADDRESS] [--kubeconfig FILE]}.
     */
    public static void main(String[] args) throws InterruptedException {
        Builder builder = builder();
        Path kubeconfig = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--port" -> builder.port(Integer.parseInt(required(arg, value)));
                case "--host" -> builder.host(required(arg, value));
                case "--kubeconfig" -> kubeconfig = Path.of(required(arg, value));
                case "-h", "--help" -> {
                    System.out.println("usage: DevApiServer [--port N (default 0: any free port)] [--host ADDRESS "
                            + "(default 127.0.0.1)] [--kubeconfig FILE]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + arg
                        + " (use --port, --host, --kubeconfig)");
            }
            i++;
        }
        DevApiServer server = builder.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "ferry-dev-apiserver-shutdown"));
        System.out.println("Development Kubernetes API server: " + server.url());
        if (kubeconfig != null) {
            server.writeKubeconfig(kubeconfig);
            System.out.println("kubeconfig: " + kubeconfig.toAbsolutePath());
        }
        stopped.await();
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** Settings of a {@link DevApiServer}; every one has a default. */
    public static final class Builder {

        private String host = "127.0.0.1";
        private int port;
        private Clock clock = Clock.systemUTC();
        private int eventLogCapacity = 10_000;
        private boolean scheduler = true;
        private java.time.Duration eventTtl = ObjectStore.DEFAULT_EVENT_TTL;

        private Builder() {
        }

        /** The address to listen on (default {@code 127.0.0.1}). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port (default 0: any free port; see {@link DevApiServer#url()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, not " + port);
            }
            this.port = port;
            return this;
        }

        /** The clock of timestamps (creation, deletion, conditions, events). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** How many writes a watch can resume across before it gets 410 Expired (default 10,000). */
        public Builder eventLogCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("eventLogCapacity must be at least 1, not " + capacity);
            }
            this.eventLogCapacity = capacity;
            return this;
        }

        /** How long an event lives after its last write (default one hour, kube-apiserver's --event-ttl). */
        public Builder eventTtl(java.time.Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("eventTtl must be positive, not " + ttl);
            }
            this.eventTtl = ttl;
            return this;
        }

        /** Whether the built-in scheduler binds pods without a node (default true). */
        public Builder scheduler(boolean enabled) {
            this.scheduler = enabled;
            return this;
        }

        public DevApiServer build() {
            return new DevApiServer(this);
        }
    }
}
