package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.devkit.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicAdminTest {

    @Test
    void anUnreachableBrokerFailsWithinTheTimeoutNamingTheAddress() {
        String address = "127.0.0.1:" + Ports.freePort();
        Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(SerdeConfig.forRegistry("http://127.0.0.1:1")));
        long start = System.nanoTime();

        try (TopicAdmin admin = TopicAdmin.connect(address, Duration.ofSeconds(3), Map.of())) {
            assertThatThrownBy(() -> admin.apply(topics.all(List.of())))
                    .isInstanceOf(TopicAdmin.KafkaUnavailableException.class)
                    .hasMessageContaining(address)
                    .hasMessageContaining("within 3s");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
