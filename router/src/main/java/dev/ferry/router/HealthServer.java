package dev.ferry.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A tiny HTTP endpoint for liveness and readiness probes: {@code GET /healthz} answers 200 while the process is
 * healthy and 503 once it failed or is stopping; {@code GET /readyz} answers 200 only while it processes
 * (Kafka Streams RUNNING). Both bodies are one line of JSON with the state, e.g. {@code {"state":"RUNNING"}}.
 */
public final class HealthServer implements AutoCloseable {

    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Probes for a running router. */
    public static HealthServer start(String host, int port, RouterApp app) {
        return start(host, port, app::healthy, app::ready, () -> app.state().name());
    }

    /**
     * Serves the probes on {@code host:port} (port 0: a free one).
     *
     * @param healthy answers {@code /healthz}
     * @param ready   answers {@code /readyz}
     * @param state   a word for the body
     */
    public static HealthServer start(String host, int port, BooleanSupplier healthy, BooleanSupplier ready,
                                     Supplier<String> state) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            server.createContext("/healthz", exchange -> answer(exchange, healthy.getAsBoolean(), state.get()));
            server.createContext("/readyz", exchange -> answer(exchange, ready.getAsBoolean(), state.get()));
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "health-http");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return new HealthServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve health checks on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, boolean ok, String state) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = ("{\"state\":\"" + state + "\"}\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(ok ? 200 : 503, -1);
                return;
            }
            exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
