package dev.ferry.gateway.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.LogChunk;
import dev.ferry.events.LogStream;
import dev.ferry.events.PodRef;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Logs read back from {@code pod-logs} on a real broker with the real registry, served over HTTP. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class KafkaLogSourceIT {


    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private final Map<String, String> uids = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Topic<String, LogChunk> podLogs;
    private KafkaProducer<String, LogChunk> producer;
    private KubeletLogServer server;

    @BeforeEach
    void start(KafkaBroker kafka, SchemaRegistry registry) {
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, TestNames.unique("logs") + ".",
                TopicsConfig.PARTITIONS, "6")), new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(List.of(topics.podLogs()));
        }
        podLogs = topics.podLogs();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                podLogs.keySerde().serializer(), podLogs.valueSerde().serializer());
        PodLookup lookup = (namespace, name) -> Optional.ofNullable(uids.get(namespace + "/" + name));
        server = new KubeletLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new KafkaLogSource(Map.of("bootstrap.servers", kafka.bootstrapServers()), topics, lookup)).start();
    }

    @AfterEach
    void stop() {
        server.close();
        producer.close();
    }

    @Test
    void servesThePodsLatestAttemptDedupedAndFollowsItToTheEnd() throws Exception {
        String uid = pod("hello");
        String neighbour = uidOnTheSamePartitionAs(uid);
        uids.put("default/neighbour", neighbour);

        int partition = send(chunk(uid, "main", 0, LogStream.STDOUT, 0, "from the first site\n", false));
        send(chunk(uid, "main", 1, LogStream.STDOUT, 0, "hello\nwor", false));
        assertThat(send(chunk(neighbour, "main", 0, LogStream.STDOUT, 0, "not mine\n", false)))
                .as("another pod's records share the partition").isEqualTo(partition);
        send(chunk(uid, "main", 1, LogStream.STDERR, 0, "oops\n", false));
        send(chunk(uid, "main", 1, LogStream.STDOUT, 9, "ld\n", false));
        send(chunk(uid, "side", 1, LogStream.STDOUT, 0, "side car\n", false));
        send(chunk(uid, "main", 1, LogStream.STDOUT, 0, "hello\nworld\n", false)); // a restarted executor ships again
        send(chunk(uid, "main", 1, LogStream.STDOUT, 12, "more\n", false));

        assertThat(get("/containerLogs/default/hello/main").body()).isEqualTo("hello\noops\nworld\nmore\n");
        assertThat(get("/containerLogs/default/hello/side").body()).isEqualTo("side car\n");
        assertThat(get("/containerLogs/default/neighbour/main").body()).isEqualTo("not mine\n");
        assertThat(get("/containerLogs/default/hello/main?tailLines=1").body()).isEqualTo("more\n");

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            HttpResponse<InputStream> response = http.send(request("/containerLogs/default/hello/main?follow=true"),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                for (String expected : List.of("hello", "oops", "world", "more")) {
                    assertThat(body.readLine()).isEqualTo(expected);
                }
                send(chunk(uid, "main", 1, LogStream.STDOUT, 17, "bye\n", false));
                assertThat(body.readLine()).isEqualTo("bye");
                send(chunk(uid, "main", 1, LogStream.STDOUT, 21, "", true));
                send(chunk(uid, "main", 1, LogStream.STDERR, 5, "", true));
                assertThat(body.readLine()).as("the response ends at the streams' ends").isNull();
            }
        });
    }

    @Test
    void sinceSecondsStartsReadingAtThatTime() throws Exception {
        String uid = pod("timed");
        // the first chunk claims a recent read time, but its record is 100 s old: only a reader that seeks by record
        // time (offsetsForTimes) skips it; one that read from the start and filtered by line time would print it
        send(chunk(uid, "main", 0, LogStream.STDOUT, 0, "skipped by seeking\n", false, NOW.minusSeconds(5)),
                NOW.minusSeconds(100));
        send(chunk(uid, "main", 0, LogStream.STDOUT, 19, "old line\n", false, NOW.minusSeconds(90)),
                NOW.minusSeconds(5));
        send(chunk(uid, "main", 0, LogStream.STDOUT, 28, "new line\n", false, NOW.minusSeconds(5)),
                NOW.minusSeconds(5));

        assertThat(get("/containerLogs/default/timed/main?sinceSeconds=60").body()).isEqualTo("new line\n");
        assertThat(get("/containerLogs/default/timed/main").body())
                .isEqualTo("skipped by seeking\nold line\nnew line\n");
    }

    @Test
    void aLineStillBeingWrittenIsShownWhenNotFollowing() throws Exception {
        String uid = pod("busy");
        send(chunk(uid, "main", 0, LogStream.STDOUT, 0, "done\nhalf a li", false));

        assertThat(get("/containerLogs/default/busy/main").body()).isEqualTo("done\nhalf a li");
    }

    @Test
    void aPodTheLookupDoesNotKnowIsNotFound() throws Exception {
        HttpResponse<String> response = get("/containerLogs/default/ghost/main");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("pod \"ghost\" in namespace \"default\" not found");
    }

    private String pod(String name) {
        String uid = TestNames.unique("uid-" + name);
        uids.put("default/" + name, uid);
        return uid;
    }

    private String uidOnTheSamePartitionAs(String uid) {
        int wanted = KafkaLogSource.partitionFor(key(uid), podLogs.partitions());
        for (int i = 0; ; i++) {
            String candidate = uid + "-neighbour-" + i;
            if (KafkaLogSource.partitionFor(key(candidate), podLogs.partitions()) == wanted) {
                return candidate;
            }
        }
    }

    private byte[] key(String uid) {
        return podLogs.keySerde().serializer().serialize(podLogs.name(), uid);
    }

    private static LogChunk chunk(String uid, String container, int attempt, LogStream stream, long offset,
                                  String data, boolean eof) {
        return chunk(uid, container, attempt, stream, offset, data, eof, NOW);
    }

    private static LogChunk chunk(String uid, String container, int attempt, LogStream stream, long offset,
                                  String data, boolean eof, Instant at) {
        return LogChunk.newBuilder()
                .setPod(PodRef.newBuilder().setNamespace("default").setName("x").setUid(uid).build())
                .setContainer(container).setStream(stream).setAttempt(attempt).setOffset(offset)
                .setData(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8))).setAt(at).setEof(eof).build();
    }

    /** Sends as the executors do (default partitioner, key = pod UID); returns the partition it landed on. */
    private int send(LogChunk chunk) throws Exception {
        return producer.send(new ProducerRecord<>(podLogs.name(), chunk.getPod().getUid(), chunk)).get().partition();
    }

    private void send(LogChunk chunk, Instant recordTime) throws Exception {
        producer.send(new ProducerRecord<>(podLogs.name(), null, recordTime.toEpochMilli(), chunk.getPod().getUid(),
                chunk)).get();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build();
    }
}
