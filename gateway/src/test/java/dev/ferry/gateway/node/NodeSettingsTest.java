package dev.ferry.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeSettingsTest {

    @Test
    void defaultsAreAKubeletsDefaults() {
        NodeSettings s = NodeSettings.defaults("ferry-vk");

        assertThat(s.interLinkTaint()).isFalse();
        assertThat(s.address()).isEqualTo("127.0.0.1");
        assertThat(s.kubeletPort()).isEqualTo(10250);
        assertThat(s.maxPods()).isEqualTo(1000);
        assertThat(s.extraLabels()).isEmpty();
        assertThat(s.leaseDuration()).isEqualTo(Duration.ofSeconds(40));
        assertThat(s.renewEvery()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.statusEvery()).isEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-vk", "a", "vk.site-a", "0vk9"})
    void acceptsDns1123Subdomains(String name) {
        assertThat(NodeSettings.defaults(name).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ferry", "ferry_vk", "-vk", "vk-", "vk..a", "vk/a", "ü"})
    void refusesOtherNamesSayingWhatANodeNameMayBe(String name) {
        assertThatThrownBy(() -> NodeSettings.defaults(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node name '" + name + "' is not a DNS-1123 subdomain")
                .hasMessageContaining("lower case letters, digits, '-' and '.'");
    }

    @Test
    void refusesAnEmptyOrOverlongName() {
        assertThatThrownBy(() -> NodeSettings.defaults("")).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> NodeSettings.defaults("a".repeat(254))).hasMessageContaining("at most 253");
    }

    @Test
    void refusesSettingsThatCannotWork() {
        NodeSettings s = NodeSettings.defaults("vk");
        assertThatThrownBy(() -> s.withTimings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60)))
                .hasMessageContaining("renewEvery (PT10S) must be shorter than leaseDuration (PT10S)");
        assertThatThrownBy(() -> s.withTimings(Duration.ofMillis(1500), Duration.ofMillis(100), Duration.ofSeconds(1)))
                .hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> s.withAddress("gateway.example", 10250)).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> s.withAddress("300.1.1.1", 10250)).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> s.withAddress("10.0.0.1", 0)).hasMessageContaining("kubeletPort");
        assertThatThrownBy(() -> s.withMaxPods(0)).hasMessageContaining("maxPods");
        assertThatThrownBy(() -> s.withExtraLabels(Map.of("type", "x")))
                .hasMessageContaining("extra label type cannot be set");
        assertThatThrownBy(() -> s.withExtraLabels(Map.of("bad key", "x"))).hasMessageContaining("not a valid label");
        assertThatThrownBy(() -> s.withExtraLabels(Map.of("ok", "bad value"))).hasMessageContaining("label value");
        assertThat(s.withAddress("fd00::1", 10250).address()).isEqualTo("fd00::1");
        assertThat(s.withExtraLabels(Map.of("example.com/tier", "hpc", "zone", "")).extraLabels()).hasSize(2);
    }
}
