package dev.ferry.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantitiesTest {
    @Test
    void parsesKubernetesQuantities() {
        assertThat(Quantities.milliCpu("500m")).isEqualTo(500);
        assertThat(Quantities.milliCpu("2")).isEqualTo(2000);
        assertThat(Quantities.milliCpu("0.25")).isEqualTo(250);
        assertThat(Quantities.bytes("1Gi")).isEqualTo(1L << 30);
        assertThat(Quantities.bytes("1.5Mi")).isEqualTo(3L << 19);
        assertThat(Quantities.bytes("4G")).isEqualTo(4_000_000_000L);
        assertThat(Quantities.bytes("1e3")).isEqualTo(1000);
        assertThat(Quantities.count("2")).isEqualTo(2);
        assertThatThrownBy(() -> Quantities.parse("two")).hasMessageContaining("'two' is not a Kubernetes quantity");
    }
}
