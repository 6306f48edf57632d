package dev.ferry.gateway.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kubelet log endpoint over real HTTP, with an in-memory source. */
class KubeletLogServerTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final LogTarget HELLO = new LogTarget("default", "hello", "main");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MemoryLogSource source = new MemoryLogSource();
    private final HttpClient http = HttpClient.newHttpClient();
    private KubeletLogServer server;

    @BeforeEach
    void start() {
        server = new KubeletLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), source,
                Clock.fixed(T0.plusSeconds(10), ZoneOffset.UTC), 4).start();
        source.add(HELLO, LogLine.of(T0.plusSeconds(1), "one\n"), LogLine.of(T0.plusSeconds(2), "two\n"),
                LogLine.of(T0.plusSeconds(3), "three\n"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesTheWholeLogAsPlainText() throws Exception {
        source.end(HELLO);

        HttpResponse<String> response = get("/containerLogs/default/hello/main");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain");
        assertThat(response.body()).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void withoutFollowItAnswersWithWhatExistsAndDoesNotWaitForTheEnd() throws Exception {
        assertThat(get("/containerLogs/default/hello/main").body()).isEqualTo("one\ntwo\nthree\n");
        assertThat(source.cursors).singleElement().satisfies(c -> assertThat(c.closed).isTrue());
    }

    @Test
    void tailLinesKeepsTheLastLines() throws Exception {
        assertThat(get("/containerLogs/default/hello/main?tailLines=2").body()).isEqualTo("two\nthree\n");
        assertThat(get("/containerLogs/default/hello/main?tailLines=0").body()).isEmpty();
        assertThat(get("/containerLogs/default/hello/main?tailLines=10").body()).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void timestampsPrefixEachLineWithNineDigitNanoseconds() throws Exception {
        source.add(HELLO, LogLine.of(T0.plusSeconds(4).plusNanos(1500), "four\n"));

        assertThat(get("/containerLogs/default/hello/main?timestamps=true&tailLines=2").body()).isEqualTo(
                "2026-03-01T12:00:03.000000000Z three\n2026-03-01T12:00:04.000001500Z four\n");
    }

    @Test
    void limitBytesCutsTheOutputTimestampsIncluded() throws Exception {
        assertThat(get("/containerLogs/default/hello/main?limitBytes=6").body()).isEqualTo("one\ntw");
        assertThat(get("/containerLogs/default/hello/main?limitBytes=12&timestamps=true").body())
                .isEqualTo("2026-03-01T1");
    }

    @Test
    void sinceSecondsCountsBackFromNowAndSinceTimeIsAnInstant() throws Exception {
        // the server's clock says T0 + 10 s
        assertThat(get("/containerLogs/default/hello/main?sinceSeconds=8").body()).isEqualTo("two\nthree\n");
        assertThat(get("/containerLogs/default/hello/main?sinceTime=2026-03-01T12:00:03Z").body())
                .isEqualTo("three\n");
    }

    @Test
    void followSendsEachLineAsItComesAndEndsWithTheOutput() {
        assertTimeoutPreemptively(WAIT, () -> {
            HttpResponse<InputStream> response = http.send(request("/containerLogs/default/hello/main?follow=true"
                    + "&tailLines=1"), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                assertThat(body.readLine()).isEqualTo("three");
                source.add(HELLO, LogLine.of(T0.plusSeconds(4), "four\n"));
                assertThat(body.readLine()).as("flushed at once, before the output ends").isEqualTo("four");
                source.add(HELLO, LogLine.of(T0.plusSeconds(5), "last"));
                source.end(HELLO);
                assertThat(body.readLine()).isEqualTo("last");
                assertThat(body.readLine()).as("the response ends with the output").isNull();
            }
        });
    }

    @Test
    void previousUnknownPodsAndBadRequestsGetKubeletLikeAnswers() throws Exception {
        HttpResponse<String> previous = get("/containerLogs/default/hello/main?previous=true");
        assertThat(previous.statusCode()).isEqualTo(400);
        assertThat(previous.body()).contains("previous=true").contains("ask without --previous");

        HttpResponse<String> unknown = get("/containerLogs/default/nope/main");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("pod \"nope\" in namespace \"default\" not found\n");

        assertThat(get("/containerLogs/default/hello").statusCode()).isEqualTo(404);
        assertThat(get("/other").statusCode()).isEqualTo(404);
        HttpResponse<String> badTail = get("/containerLogs/default/hello/main?tailLines=x");
        assertThat(badTail.statusCode()).isEqualTo(400);
        assertThat(badTail.body()).contains("tailLines must be a whole number");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/containerLogs/default/hello/main"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(source.cursors).as("no log opened for a bad request").isEmpty();
    }

    @Test
    void aFollowingRequestStopsWhenItsClientGoesAway() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /containerLogs/default/hello/main?follow=true HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.append(line.toLowerCase()).append('\n');
            }
            assertThat(head.toString()).startsWith("http/1.1 200").contains("transfer-encoding: chunked");
            await().atMost(WAIT).until(() -> !source.cursors.isEmpty());
        }
        MemoryLogSource.Cursor cursor = source.cursors.get(0);
        assertThat(cursor.closed).isFalse();

        // the server learns that the client left when it next writes
        int[] n = {0};
        await().atMost(WAIT).untilAsserted(() -> {
            source.add(HELLO, LogLine.of(T0.plusSeconds(10 + n[0]++), "more\n"));
            assertThat(cursor.closed).isTrue();
        });
    }

    @Test
    void closingTheServerEndsOpenStreams() throws Exception {
        HttpResponse<InputStream> response = http.send(request("/containerLogs/default/hello/main?follow=true"),
                HttpResponse.BodyHandlers.ofInputStream());
        await().atMost(WAIT).until(() -> !source.cursors.isEmpty());

        server.close();

        await().atMost(WAIT).until(() -> source.cursors.get(0).closed);
        response.body().close();
    }

    @Test
    void atMostMaxStreamsAreServedAtOnce() throws Exception {
        for (int i = 0; i < 4; i++) {
            http.send(request("/containerLogs/default/hello/main?follow=true"), HttpResponse.BodyHandlers.ofInputStream());
        }
        await().atMost(WAIT).until(() -> source.cursors.size() == 4);

        HttpResponse<String> fifth = get("/containerLogs/default/hello/main");

        assertThat(fifth.statusCode()).isEqualTo(503);
        assertThat(fifth.body()).contains("too many log streams");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(uri(path)).GET().build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
