package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvFileTest {

    @Test
    void writesExportLinesQuotingOnlyWhereTheShellNeedsIt() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        variables.put("FERRY_REGISTRY_URL", "http://127.0.0.1:8080");
        variables.put("ODD", "it's $HOME");

        assertThat(EnvFile.render("hello", variables)).isEqualTo("""
                # hello
                export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092
                export FERRY_REGISTRY_URL=http://127.0.0.1:8080
                export ODD='it'\\''s $HOME'
                """);
    }
}
