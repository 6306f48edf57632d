package dev.ferry.devkit.apiserver.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class QuantityTest {

    @Test
    void suffixes() {
        assertThat(Quantity.parse("500m")).isEqualByComparingTo("0.5");
        assertThat(Quantity.parse("2")).isEqualByComparingTo("2");
        assertThat(Quantity.parse("1Gi")).isEqualByComparingTo(BigDecimal.valueOf(1L << 30));
        assertThat(Quantity.parse("1G")).isEqualByComparingTo("1000000000");
        assertThat(Quantity.parse("1.5Ki")).isEqualByComparingTo("1536");
        assertThat(Quantity.parse("1e3")).isEqualByComparingTo("1000");
        assertThat(Quantity.parse("100E")).isEqualByComparingTo("1e20");
        assertThatThrownBy(() -> Quantity.parse("lots")).hasMessageContaining("not a quantity");
        assertThat(Quantity.parseOrZero("lots")).isZero();
    }
}
