package dev.ferry.devkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.junit.TestNames;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessIT {

    @Test
    void aChildJvmBrokerServesClientsAndIsGoneAfterClose(@TempDir Path workDir) throws Exception {
        String topic = TestNames.unique("devkit-child");
        long pid;
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(workDir)) {
            pid = broker.pid();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(broker.describe()).contains("pid " + pid).contains(broker.bootstrapServers());
            assertThat(workDir.resolve("server.properties")).exists();

            KafkaClients.createTopic(broker.bootstrapServers(), topic);
            KafkaClients.produce(broker.bootstrapServers(), topic, "pod-3", "from a child JVM");
            try (KafkaConsumer<String, String> consumer =
                         KafkaClients.consumer(broker.bootstrapServers(), TestNames.unique("g"), "read_committed")) {
                List<ConsumerRecord<String, String>> records = KafkaClients.consume(consumer, topic, 1);
                assertThat(records).extracting(ConsumerRecord::value).containsExactly("from a child JVM");
            }
        }

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(workDir.resolve("kafka.log")).exists();
    }
}
