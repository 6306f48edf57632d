package dev.ferry.devkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KafkaChoiceTest {

    private final AtomicBoolean dockerAsked = new AtomicBoolean();

    private KafkaChoice choose(Map<String, String> env, boolean docker) {
        return KafkaChoice.choose(env::get, () -> {
            dockerAsked.set(true);
            return docker;
        });
    }

    @Test
    void externalClusterWinsAndDockerIsNotAsked() {
        assertThat(choose(Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"), true)).isEqualTo(KafkaChoice.EXTERNAL);
        assertThat(dockerAsked).isFalse();
    }

    @Test
    void testcontainersWhenDockerAnswers() {
        assertThat(choose(Map.of(), true)).isEqualTo(KafkaChoice.TESTCONTAINERS);
    }

    @Test
    void embeddedWithoutDocker() {
        assertThat(choose(Map.of(), false)).isEqualTo(KafkaChoice.EMBEDDED);
    }

    @Test
    void blankBootstrapServersIsIgnored() {
        assertThat(choose(Map.of("KAFKA_BOOTSTRAP_SERVERS", " "), false)).isEqualTo(KafkaChoice.EMBEDDED);
    }

    @Test
    void forcedKindSkipsTheDockerProbe() {
        assertThat(choose(Map.of("FERRY_TEST_KAFKA", "Embedded"), true)).isEqualTo(KafkaChoice.EMBEDDED);
        assertThat(choose(Map.of("FERRY_TEST_KAFKA", "testcontainers"), false)).isEqualTo(KafkaChoice.TESTCONTAINERS);
        assertThat(dockerAsked).isFalse();
    }

    @Test
    void unknownForcedKindNamesTheVariable() {
        assertThatThrownBy(() -> choose(Map.of("FERRY_TEST_KAFKA", "docker"), false))
                .hasMessageContaining("FERRY_TEST_KAFKA").hasMessageContaining("docker");
    }
}
