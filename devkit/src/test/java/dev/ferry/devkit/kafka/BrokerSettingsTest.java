package dev.ferry.devkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSettingsTest {

    @Test
    void singleNodeKraftOnLoopbackWithInternalTopicsSizedForOneBroker() {
        Properties p = new BrokerSettings(9092, 9093, Path.of("/data/logs"), false, Map.of()).toProperties();

        assertThat(p)
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("node.id", "1")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
                .containsEntry("controller.quorum.bootstrap.servers", "127.0.0.1:9093")
                .containsEntry("log.dirs", "/data/logs")
                .containsEntry("auto.create.topics.enable", "false")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
    }

    @Test
    void overridesWin() {
        Properties p = new BrokerSettings(1, 2, Path.of("/d"), true, Map.of("num.io.threads", "8")).toProperties();

        assertThat(p).containsEntry("num.io.threads", "8").containsEntry("auto.create.topics.enable", "true");
    }

    @Test
    void aFormattedDirectoryKeepsItsPortsBecauseTheQuorumRememberedTheControllerAddress(@TempDir Path dir)
            throws Exception {
        new BrokerSettings(41001, 41002, dir.resolve("logs"), false, Map.of()).writeTo(dir.resolve("server.properties"));
        assertThat(PortChoice.choose(0, 0, dir).freshlyChosen()).isTrue();

        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/meta.properties"), "node.id=1\n");

        assertThat(PortChoice.choose(0, 0, dir)).isEqualTo(new PortChoice(41001, 41002, false));
        assertThat(PortChoice.choose(41005, 0, dir)).isEqualTo(new PortChoice(41005, 41002, false));
    }
}
