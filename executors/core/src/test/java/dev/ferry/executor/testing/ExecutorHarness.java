package dev.ferry.executor.testing;

import dev.ferry.devkit.junit.TestNames;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogChunk;
import dev.ferry.events.LogStream;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * For a backend's end-to-end tests: topics with a unique prefix on the real broker, a producer of
 * {@code JobCommand}s, a background reader of what the executor publishes, and a {@code site.yaml}
 * whose {@code backend:} section the backend's tests supply.
 */
public final class ExecutorHarness implements AutoCloseable {

    public final String site;
    public final String bootstrap;
    public final String registryUrl;
    public final String prefix;
    public final Topics topics;
    /** Where test files (site.yaml, logs of child executors, markers) go. */
    public final Path files;
    public final List<PodStatusEvent> statuses = new CopyOnWriteArrayList<>();
    public final List<LogChunk> logs = new CopyOnWriteArrayList<>();
    public final List<PoolAdvert> pools = new CopyOnWriteArrayList<>();
    private final KafkaProducer<String, byte[]> producer;
    private final Thread reader;
    private volatile boolean closed;

    /**
     * @param site  the start of the site's name; a unique suffix keeps runs apart (backends keep jobs for minutes)
     * @param files where the harness writes its files
     */
    public ExecutorHarness(String bootstrap, String registryUrl, String site, Path files) throws IOException {
        this.site = TestNames.unique(site);
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.prefix = TestNames.unique("exec") + ".";
        this.topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix, TopicsConfig.PARTITIONS, "2")),
                new EventSerdes(SerdeConfig.forRegistry(registryUrl)));
        try (TopicAdmin admin = TopicAdmin.connect(bootstrap, Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of(this.site)));
        }
        this.files = Files.createDirectories(files);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new ByteArraySerializer());
        this.reader = new Thread(this::read, "harness-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Writes {@code command} to {@code jobs.<site>} and waits for the broker. */
    public void send(JobCommand command) throws Exception {
        var topic = topics.jobs(site);
        producer.send(new ProducerRecord<>(topic.name(), command.getPod().getUid(),
                topic.valueSerde().serializer().serialize(topic.name(), command))).get();
    }

    public List<PodStatusEvent> statuses(String uid) {
        return statuses.stream().filter(s -> s.getPod().getUid().equals(uid)).toList();
    }

    public PodStatusEvent last(String uid) {
        List<PodStatusEvent> s = statuses(uid);
        return s.isEmpty() ? null : s.get(s.size() - 1);
    }

    /**
     * A site.yaml for this harness (fast polling) ending with {@code backendYaml}, the whole
     * {@code backend:} section of the backend under test.
     */
    public Path siteYaml(String backendYaml) throws IOException {
        String yaml = "site: " + site + "\n"
                + "kafka:\n  bootstrapServers: " + bootstrap + "\n"
                // a SIGKILLed executor's partitions move to its successor after the session timeout
                + "  properties:\n    session.timeout.ms: '6000'\n    heartbeat.interval.ms: '1000'\n"
                + "registry:\n  url: " + registryUrl + "\n"
                + "topics:\n  prefix: " + prefix + "\n  partitions: '2'\n"
                + "executor:\n  pollInterval: 300ms\n  poolInterval: 2s\n  lostAfter: 30s\n  retryBackoff: 1s\n"
                + "  logs:\n    interval: 300ms\n"
                + backendYaml;
        Path file = files.resolve("site-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private void read() {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, prefix + "harness", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.podStatus().name(), topics.podLogs().name(), topics.pools().name()));
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.podStatus().name())) {
                        statuses.add(topics.podStatus().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    } else if (r.topic().equals(topics.podLogs().name())) {
                        logs.add(topics.podLogs().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    } else {
                        pools.add(topics.pools().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** The text of one container stream's chunks, in offset order. */
    public String logText(String uid, String container, LogStream stream) {
        List<LogChunk> chunks = new ArrayList<>(logs.stream().filter(c -> c.getPod().getUid().equals(uid)
                && c.getContainer().equals(container) && c.getStream() == stream).toList());
        chunks.sort(Comparator.comparingLong(LogChunk::getOffset));
        StringBuilder out = new StringBuilder();
        long next = 0;
        for (LogChunk c : chunks) {
            if (c.getOffset() == next) {
                out.append(StandardCharsets.UTF_8.decode(c.getData().duplicate()));
                next += c.getData().remaining();
            }
        }
        return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        reader.join(5000);
        producer.close();
    }
}
