package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void probesFollowTheStateTheyAreGiven() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        AtomicBoolean ready = new AtomicBoolean(false);
        try (HealthServer server = HealthServer.start("127.0.0.1", 0, healthy::get, ready::get,
                () -> ready.get() ? "RUNNING" : "REBALANCING")) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(server, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("{\"state\":\"REBALANCING\"}\n");

            ready.set(true);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);

            healthy.set(false);
            ready.set(false);
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(503);
            assertThat(get(server, "/nothing").statusCode()).isEqualTo(404);
        }
    }
}
