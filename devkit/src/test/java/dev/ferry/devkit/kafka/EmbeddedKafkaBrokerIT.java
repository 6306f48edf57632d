package dev.ferry.devkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.TestNames;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class EmbeddedKafkaBrokerIT {

    @Test
    void aRecordProducedToANewTopicIsConsumed(KafkaBroker kafka) throws Exception {
        String topic = TestNames.unique("devkit-plain");
        KafkaClients.createTopic(kafka.bootstrapServers(), topic);

        KafkaClients.produce(kafka.bootstrapServers(), topic, "pod-1", "hello from " + topic);

        try (KafkaConsumer<String, String> consumer =
                     KafkaClients.consumer(kafka.bootstrapServers(), TestNames.unique("devkit-group"), "read_uncommitted")) {
            List<ConsumerRecord<String, String>> records = KafkaClients.consume(consumer, topic, 1);
            assertThat(records).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("pod-1");
                assertThat(r.value()).isEqualTo("hello from " + topic);
            });
        }
    }

    @Test
    void aTransactionalProducerCommits(KafkaBroker kafka) throws Exception {
        String topic = TestNames.unique("devkit-tx");
        KafkaClients.createTopic(kafka.bootstrapServers(), topic);

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestNames.unique("devkit-tx-id"),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "pod-2", "committed"));
            producer.commitTransaction();
        }

        try (KafkaConsumer<String, String> consumer =
                     KafkaClients.consumer(kafka.bootstrapServers(), TestNames.unique("devkit-group"), "read_committed")) {
            assertThat(KafkaClients.consume(consumer, topic, 1))
                    .extracting(ConsumerRecord::value).containsExactly("committed");
        }
    }

    @Test
    void topicsAreNotCreatedOnFirstUse(KafkaBroker kafka) throws Exception {
        assumeFalse(kafka instanceof ExternalKafkaBroker, "an external cluster has its own auto-create setting");
        String topic = TestNames.unique("devkit-never-created");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v"));
        } catch (org.apache.kafka.common.KafkaException expected) {
            // the send times out waiting for metadata of a topic that does not exist
        }

        assertThat(KafkaClients.listTopics(kafka.bootstrapServers())).doesNotContain(topic);
    }

    @Test
    void restartsOnItsDataDirectoryWithItsTopicsAndPorts(@TempDir Path dataDir) throws Exception {
        String topic = TestNames.unique("devkit-durable");
        String firstAddress;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(dataDir)) {
            assertThat(first.describe()).startsWith("embedded KRaft broker 4.4.0 at 127.0.0.1:");
            firstAddress = first.bootstrapServers();
            KafkaClients.createTopic(firstAddress, topic);
            KafkaClients.produce(firstAddress, topic, "k", "kept");
        }

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(dataDir);
             KafkaConsumer<String, String> consumer =
                     KafkaClients.consumer(second.bootstrapServers(), TestNames.unique("g"), "read_uncommitted")) {
            assertThat(second.bootstrapServers()).isEqualTo(firstAddress);
            assertThat(KafkaClients.consume(consumer, topic, 1)).extracting(ConsumerRecord::value).containsExactly("kept");
        }
        assertThat(dataDir.resolve("logs/meta.properties")).exists();
    }
}
