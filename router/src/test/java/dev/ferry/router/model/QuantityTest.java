package dev.ferry.router.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "500m, 0.5",
            "1, 1",
            "1.5, 1.5",
            "2Gi, 2147483648",
            "1Ki, 1024",
            "128Mi, 134217728",
            "1e3, 1000",
            "1E3, 1000",
            "1.5e-3, 0.0015",
            "1E, 1000000000000000000",
            "2k, 2000",
            "3M, 3000000",
            "100n, 0.0000001",
            "250u, 0.00025",
            ".5, 0.5",
            "5., 5",
            "+2, 2",
            "0, 0",
            "0.000m, 0",
            "1Ei, 1152921504606846976"})
    void parsesKubernetesQuantities(String text, String expected) {
        assertThat(Quantity.parse(text).value()).isEqualByComparingTo(new BigDecimal(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "2 Gi", " 1", "1 ", "2GB", "1.2.3", "Gi", "-", "1e", "1e+", "1ee3", "1e3.5",
            "1i", "0x10", "1e999", "1,5"})
    void refusesWhatIsNotAQuantity(String text) {
        assertThatThrownBy(() -> Quantity.parse(text)).isInstanceOf(InvalidQuantityException.class)
                .hasMessageStartingWith("'" + text + "' ");
    }

    @ParameterizedTest
    @CsvSource({"'2 GB', '''2 GB'' has an unknown suffix '' GB'' (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)'",
            "abc, '''abc'' does not start with a number'",
            "'', ''''' is empty'",
            "1e, '''1e'' has a malformed exponent ''e'' (e.g. 1e3)'"})
    void saysWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Quantity.parse(text)).hasMessage(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-500m", "-2Gi", "-1e3"})
    void resourcesMustNotBeNegative(String text) {
        assertThat(Quantity.parse(text).signum()).isNegative();
        assertThatThrownBy(() -> Quantity.parseResource(text)).isInstanceOf(InvalidQuantityException.class)
                .hasMessage("'" + text + "' is negative");
    }

    @ParameterizedTest
    @CsvSource({"0.5, 500m", "2147483648, 2Gi", "4, 4", "1024, 1024", "0.0001, 0.0001", "1.5, 1500m", "0, 0",
            "3221225472, 3Gi", "1500000000, 1500000000"})
    void formatsAmountsTheWayUsersWriteThem(String amount, String text) {
        assertThat(Quantity.format(new BigDecimal(amount))).isEqualTo(text);
    }

    @org.junit.jupiter.api.Test
    void equalAmountsAreEqualHoweverWritten() {
        assertThat(Quantity.parse("1")).isEqualTo(Quantity.parse("1000m")).hasSameHashCodeAs(Quantity.parse("1000m"));
        assertThat(Quantity.parse("1Ki")).isEqualTo(Quantity.parse("1024"));
        assertThat(Quantity.parse("1k")).isNotEqualTo(Quantity.parse("1Ki"));
        assertThat(Quantity.parse("1Gi")).isGreaterThan(Quantity.parse("1G"));
    }

    @Property
    void formattedAmountsParseBackToTheSameAmount(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 1000) long milli) {
        BigDecimal amount = BigDecimal.valueOf(milli, 3);
        assertThat(Quantity.parse(Quantity.format(amount)).value()).isEqualByComparingTo(amount);
    }

    @Property
    void binarySuffixesAreExactPowersOf1024(@ForAll @IntRange(min = 0, max = 100_000) int n,
                                            @ForAll("binarySuffixes") int power) {
        String suffix = new String[] {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}[power - 1];
        assertThat(Quantity.parse(n + suffix).value())
                .isEqualByComparingTo(BigDecimal.valueOf(n).multiply(BigDecimal.valueOf(1024).pow(power)));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> binarySuffixes() {
        return net.jqwik.api.Arbitraries.integers().between(1, 6);
    }

    @Property
    void decimalNotationAndExponentsAgree(@ForAll @BigRange(min = "0", max = "1000000") BigDecimal mantissa,
                                          @ForAll @IntRange(min = -9, max = 18) int exponent) {
        BigDecimal m = mantissa.setScale(Math.min(mantissa.scale(), 6), java.math.RoundingMode.DOWN);
        assertThat(Quantity.parse(m.toPlainString() + "e" + exponent).value())
                .isEqualByComparingTo(m.scaleByPowerOfTen(exponent));
    }
}
