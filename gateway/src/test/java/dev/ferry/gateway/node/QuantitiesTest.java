package dev.ferry.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource({
            "500m, 2, 2500m",
            "2, 500m, 2500m",
            "1Gi, 512Mi, 1536Mi",
            "1Gi, 1Gi, 2Gi",
            "64, 4, 68",
            "1500, 0, 1500",
            "1k, 1, 1001",
            "1k, 1k, 2k",
            "1G, 1Gi, 2073741824",
            "100Mi, 0.5Gi, 612Mi",
            "1e3, 1e3, 2e3",
            "0, 256Gi, 256Gi",
            "1.5, 0, 1500m",
            "1n, 1u, 1001n",
            "0.5Ki, 0, 512",
            "1000Mi, 24Mi, 1Gi",
    })
    void sumsAsKubernetesPrintsThem(String a, String b, String sum) {
        assertThat(Quantities.sum(List.of(a, b))).isEqualTo(sum);
    }

    @Test
    void valuesFinerThanANanoUnitRoundUp() {
        assertThat(Quantities.sum(List.of("0.0000000001"))).isEqualTo("1n");
    }

    @Test
    void anEmptySumIsZero() {
        assertThat(Quantities.sum(List.of())).isEqualTo("0");
    }

    @Test
    void whatIsNotAQuantityIsRefusedWithAnExample() {
        assertThatThrownBy(() -> Quantities.parse("two")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'two' is not a Kubernetes quantity (e.g. 2, 500m, 4Gi, 1e3)");
        assertThatThrownBy(() -> Quantities.parse("1KiB")).isInstanceOf(IllegalArgumentException.class);
    }
}
