package dev.ferry.devkit.apiserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A tiny kubelet log endpoint, over plain HTTP (as a development gateway may serve it) or HTTPS: answers
 * {@code /containerLogs/{ns}/{pod}/{container}} with two lines naming what was asked, and with {@code follow=true}
 * keeps the stream open, sending one more line when {@link #release()} is called.
 */
final class FakeKubelet implements AutoCloseable {

    private final HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch more = new CountDownLatch(1);

    FakeKubelet() throws IOException {
        this(null);
    }

    /** With a TLS context: HTTPS, as a real kubelet serves it. */
    FakeKubelet(javax.net.ssl.SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(address, 16);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(address, 16);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-kubelet");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/containerLogs/", this::logs);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void release() {
        more.countDown();
    }

    private void logs(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        String path = exchange.getRequestURI().getPath();
        requests.add(path + (query == null ? "" : "?" + query));
        String[] parts = path.split("/");
        if (parts.length != 5 || parts[4].equals("missing")) {
            byte[] body = "container not found".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(("hello from " + parts[2] + "/" + parts[3] + "/" + parts[4] + "\n").getBytes(
                    StandardCharsets.UTF_8));
            out.write("second line\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (query != null && query.contains("follow=true")) {
                if (more.await(30, TimeUnit.SECONDS)) {
                    out.write("followed line\n".getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        more.countDown();
        server.stop(0);
    }
}
