package dev.ferry.gateway.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LogQueryTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void noParametersMeansEverythingOnce() {
        assertThat(LogQuery.parse(Map.of(), NOW)).isEqualTo(LogQuery.all());
    }

    @Test
    void readsEveryKubeletOption() {
        LogQuery query = LogQuery.parse(Map.of("follow", "true", "tailLines", "10", "timestamps", "1",
                "limitBytes", "500", "sinceSeconds", "60"), NOW);

        assertThat(query).isEqualTo(new LogQuery(true, OptionalLong.of(10), true,
                Optional.of(Instant.parse("2026-03-01T11:59:00Z")), OptionalLong.of(500)));
    }

    @Test
    void theLaterOfSinceSecondsAndSinceTimeWins() {
        assertThat(LogQuery.parse(Map.of("sinceSeconds", "60", "sinceTime", "2026-03-01T11:59:30Z"), NOW).since())
                .contains(Instant.parse("2026-03-01T11:59:30Z"));
        assertThat(LogQuery.parse(Map.of("sinceSeconds", "10", "sinceTime", "2026-03-01T11:00:00+01:00"), NOW)
                .since()).contains(Instant.parse("2026-03-01T11:59:50Z"));
    }

    @Test
    void falseLooksAsKubernetesReadsIt() {
        assertThat(LogQuery.parse(Map.of("follow", "false", "timestamps", "0"), NOW)).isEqualTo(LogQuery.all());
        assertThat(LogQuery.parse(Map.of("follow", "FALSE"), NOW).follow()).isFalse();
        assertThat(LogQuery.parse(Map.of("follow", ""), NOW).follow()).as("a bare ?follow").isTrue();
    }

    @Test
    void aNegativeTailMeansAll() {
        assertThat(LogQuery.parse(Map.of("tailLines", "-1"), NOW).tailLines()).isEmpty();
    }

    @Test
    void previousAndBadValuesAreRefusedWithWhatToChange() {
        assertThatThrownBy(() -> LogQuery.parse(Map.of("previous", "true"), NOW))
                .hasMessageContaining("previous=true").hasMessageContaining("ask without --previous");
        assertThatThrownBy(() -> LogQuery.parse(Map.of("tailLines", "ten"), NOW))
                .hasMessage("tailLines must be a whole number, was 'ten'");
        assertThatThrownBy(() -> LogQuery.parse(Map.of("limitBytes", "0"), NOW))
                .hasMessage("limitBytes must be greater than 0, was 0");
        assertThatThrownBy(() -> LogQuery.parse(Map.of("sinceSeconds", "0"), NOW))
                .hasMessage("sinceSeconds must be greater than 0, was 0");
        assertThatThrownBy(() -> LogQuery.parse(Map.of("sinceTime", "yesterday"), NOW))
                .hasMessageContaining("sinceTime must be an RFC 3339 time");
        assertThat(LogQuery.parse(Map.of("previous", "false"), NOW)).isEqualTo(LogQuery.all());
    }
}
