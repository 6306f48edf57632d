package dev.ferry.devkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TestNamesTest {

    @Test
    void appendsEightHexCharactersToTheBase() {
        assertThat(TestNames.unique("pod-intents")).matches("pod-intents-[0-9a-f]{8}");
    }

    @Test
    void namesAreValidKafkaTopicNames() {
        // Kafka allows [a-zA-Z0-9._-] up to 249 characters
        assertThat(TestNames.unique("ferry.jobs.site-a")).matches("[a-zA-Z0-9._-]{1,249}");
    }

    @Test
    void namesDoNotRepeat() {
        Set<String> names = new HashSet<>();
        IntStream.range(0, 1000).forEach(i -> names.add(TestNames.unique("t")));
        assertThat(names).hasSize(1000);
    }

    @Test
    void rejectsABlankBase() {
        assertThatThrownBy(() -> TestNames.unique(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
