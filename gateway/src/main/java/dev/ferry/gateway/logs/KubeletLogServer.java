package dev.ferry.gateway.logs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtual node's kubelet log endpoint, which the API server proxies {@code pods/log} to (the node's
 * {@code status.daemonEndpoints.kubeletEndpoint.Port} at its InternalIP). Serves
 * {@code GET /containerLogs/{namespace}/{pod}/{container}} with the kubelet's options {@code follow},
 * {@code tailLines}, {@code timestamps}, {@code sinceSeconds}, {@code sinceTime} and {@code limitBytes};
 * {@code previous=true} gets 400, an unknown pod or container 404 with a kubelet-like message.
 *
 * <p>The body is chunked plain text; a following response is flushed after each batch of lines and ends when the
 * container's output ends. A request stops its work when writing to the client fails (it went away), when the
 * output ends, or when the server closes. Plain HTTP: the development API server speaks it to endpoints that answer
 * it; behind a real kube-apiserver, put TLS in front (it speaks only HTTPS to kubelets).
 *
 * <p>Each open request holds a thread and a cursor (for {@link KafkaLogSource}, a consumer), so at most
 * {@code maxStreams} are served at once; more get 503.
 */
public final class KubeletLogServer implements AutoCloseable {

    /** How long a following request waits for lines before it looks again whether it should stop. */
    static final Duration POLL = Duration.ofMillis(250);
    /** How long a request waits for its source to read what the log already holds before it gives up. */
    static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_STREAMS = 128;
    private static final String PREFIX = "/containerLogs/";
    private static final Logger LOG = LoggerFactory.getLogger(KubeletLogServer.class);

    private final InetSocketAddress bind;
    private final LogSource source;
    private final Clock clock;
    private final int maxStreams;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closing;
    private HttpServer server;
    private ExecutorService threads;
    private SSLContext tls;

    public KubeletLogServer(InetSocketAddress bind, LogSource source) {
        this(bind, source, Clock.systemUTC(), DEFAULT_MAX_STREAMS);
    }

    /**
     * @param clock      what {@code sinceSeconds} counts back from
     * @param maxStreams how many requests are served at once
     */
    public KubeletLogServer(InetSocketAddress bind, LogSource source, Clock clock, int maxStreams) {
        this.bind = Objects.requireNonNull(bind, "bind");
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, was " + maxStreams);
        }
        this.maxStreams = maxStreams;
    }

    /**
     * Serve HTTPS with {@code context} (set before {@link #start()}), as kube-apiserver expects of a kubelet; see
     * {@link KubeletCertificates}.
     */
    public synchronized KubeletLogServer withTls(SSLContext context) {
        if (server != null) {
            throw new IllegalStateException("TLS must be set before the log server starts");
        }
        this.tls = Objects.requireNonNull(context, "context");
        return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException when the address cannot be bound (e.g. the port is taken); the message names it
     */
    public synchronized KubeletLogServer start() {
        if (server != null) {
            throw new IllegalStateException("the kubelet log server is already started on port " + port());
        }
        try {
            if (tls == null) {
                server = HttpServer.create(bind, 64);
            } else {
                HttpsServer https = HttpsServer.create(bind, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve kubelet logs on " + bind + ": " + e.getMessage()
                    + " (choose another kubelet port, or free this one)", e);
        }
        AtomicInteger n = new AtomicInteger();
        // one thread per open request (following requests hold theirs); the admission check in handle bounds the
        // long-lived ones. Unbounded on purpose: HttpServer's dispatcher does not survive a rejected execution.
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ferry-kubelet-logs-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("kubelet log endpoint serving {} on {}", tls == null ? "HTTP" : "HTTPS", server.getAddress());
        return this;
    }

    /** The port served on (the bound one, when started on port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the kubelet log server is not started");
        }
        return server.getAddress().getPort();
    }

    /** Stops serving; open requests end within {@link #POLL}. */
    @Override
    public synchronized void close() {
        closing = true;
        if (server != null) {
            server.stop(0);
            threads.shutdown();
            try {
                if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                    threads.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                threads.shutdownNow();
            }
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                reply(exchange, 405, "only GET is served here");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String[] parts = path.startsWith(PREFIX) ? path.substring(PREFIX.length()).split("/", -1) : new String[0];
            if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
                reply(exchange, 404, "404 page not found: this endpoint serves only "
                        + "/containerLogs/{namespace}/{pod}/{container}");
                return;
            }
            LogTarget target = new LogTarget(parts[0], parts[1], parts[2]);
            LogQuery query;
            try {
                query = LogQuery.parse(params(exchange.getRequestURI().getRawQuery()), clock.instant());
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, e.getMessage());
                return;
            }
            if (open.incrementAndGet() > maxStreams) {
                open.decrementAndGet();
                reply(exchange, 503, "too many log streams open on this virtual node (" + maxStreams
                        + "): try again shortly");
                return;
            }
            try {
                serve(exchange, target, query);
            } finally {
                open.decrementAndGet();
            }
        } catch (IOException e) {
            LOG.debug("log request {} ended: {}", exchange.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
            LOG.warn("log request {} failed", exchange.getRequestURI(), e);
        }
    }

    private void serve(HttpExchange exchange, LogTarget target, LogQuery query) throws IOException {
        LogCursor cursor;
        try {
            cursor = source.open(target, query);
        } catch (LogNotFoundException e) {
            reply(exchange, 404, e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("cannot open the log of {}", target, e);
            reply(exchange, 500, "cannot read the log of " + target + ": " + e.getMessage());
            return;
        }
        try (cursor) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            if (!new LogCopier(cursor, query, body, () -> closing, POLL, CATCH_UP_LIMIT).run()) {
                LOG.warn("the log of {} could not be read within {}: the response ended incomplete", target,
                        CATCH_UP_LIMIT);
            }
            body.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(HttpExchange exchange, int code, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, body.length);
        exchange.getResponseBody().write(body);
    }

    static Map<String, String> params(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value); // the first value wins, as Go's url.Values.Get
        }
        return params;
    }
}
