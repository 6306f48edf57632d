package dev.ferry.gateway.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A tiny HTTP proxy in front of the development API server: records every request, and lets a test answer chosen
 * requests itself (e.g. 503) or run something just before one is forwarded (e.g. change the pod concurrently).
 */
final class ApiProxy implements AutoCloseable {

    /** One request that went through, and the status the client got. */
    record Exchange(String method, String path, String body, int status) {
    }

    /** What to do with a request: answer it with {@code status} (when > 0), and/or run {@code before} first. */
    record Rule(Predicate<Exchange> matches, int status, Runnable before, int times) {
    }

    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "upgrade",
            "http2-settings", "expect", "transfer-encoding", "keep-alive", "te", "trailer");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final int[] used = new int[64];

    ApiProxy(String targetUrl) throws IOException {
        this.target = URI.create(targetUrl.endsWith("/") ? targetUrl.substring(0, targetUrl.length() - 1)
                : targetUrl);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers the first {@code times} matching requests with {@code status} instead of forwarding them. */
    void fail(Predicate<Exchange> matches, int status, int times) {
        rules.add(new Rule(matches, status, null, times));
    }

    /** Runs {@code action} just before the first {@code times} matching requests are forwarded. */
    void before(Predicate<Exchange> matches, Runnable action, int times) {
        rules.add(new Rule(matches, 0, action, times));
    }

    static Predicate<Exchange> statusPuts() {
        return e -> e.method().equals("PUT") && e.path().contains("/pods/") && e.path().endsWith("/status");
    }

    /** The requests that went through, with what they got. */
    List<Exchange> exchanges(Predicate<Exchange> matches) {
        return exchanges.stream().filter(matches).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String pathAndQuery = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI()
                    .getRawQuery());
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Exchange request = new Exchange(method, exchange.getRequestURI().getRawPath(),
                    new String(body, StandardCharsets.UTF_8), 0);
            Rule rule = claim(request);
            if (rule != null && rule.before() != null) {
                rule.before().run();
            }
            if (rule != null && rule.status() > 0) {
                byte[] status = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                        + "\"injected by the test proxy\",\"reason\":\"ServiceUnavailable\",\"code\":" + rule.status()
                        + "}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                send(exchange, rule.status(), status);
                exchanges.add(new Exchange(method, request.path(), request.body(), rule.status()));
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(v -> forward.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            send(exchange, response.statusCode(), response.body());
            exchanges.add(new Exchange(method, request.path(), request.body(), response.statusCode()));
        }
    }

    private synchronized Rule claim(Exchange request) {
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (used[i] < rule.times() && rule.matches().test(request)) {
                used[i]++;
                return rule;
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
