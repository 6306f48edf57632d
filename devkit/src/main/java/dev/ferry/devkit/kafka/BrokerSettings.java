package dev.ferry.devkit.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The server properties of a single-node KRaft cluster (broker and controller in one process) on 127.0.0.1,
 * sized for tests and development: every internal topic has one partition and replication factor 1.
 */
record BrokerSettings(int brokerPort, int controllerPort, Path logDir, boolean autoCreateTopics,
                      Map<String, String> overrides) {

    static final String HOST = "127.0.0.1";

    BrokerSettings {
        overrides = Map.copyOf(overrides);
    }

    String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    Properties toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners",
                "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        // a dynamic quorum of one voter, as formatted by `kafka-storage format --standalone`
        p.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        p.put("log.dirs", logDir.toAbsolutePath().toString());

        p.put("auto.create.topics.enable", Boolean.toString(autoCreateTopics));
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");

        // small footprint: the defaults are sized for a production server
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("background.threads", "2");

        p.putAll(overrides);
        Properties properties = new Properties();
        properties.putAll(p);
        return properties;
    }

    void writeTo(Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            toProperties().store(out, "Ferry devkit: single-node KRaft broker+controller on " + HOST);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
