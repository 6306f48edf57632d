package dev.ferry.router;

import static org.awaitility.Awaitility.await;

import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The router in a JVM of its own, so {@link RouterEosCrashIT} can kill it with SIGKILL: no shutdown hook, no
 * close, no commit. Prints {@value #READY} once Kafka Streams is RUNNING.
 *
 * <p>Arguments: bootstrap servers, registry URL, topic prefix, partitions, application id, state directory.
 */
public final class RouterChild {

    static final String READY = "ROUTER-CHILD-READY";

    private RouterChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, args[2], TopicsConfig.PARTITIONS, args[3])),
                new EventSerdes(SerdeConfig.forRegistry(args[1])));
        RouterConfig config = RouterConfig.fromMap(Map.of(
                RouterConfig.APPLICATION_ID, args[4],
                RouterConfig.STATE_DIR, args[5],
                // a killed member is noticed after 6 s (the broker's minimum) instead of 45 s
                RouterConfig.STREAMS_PREFIX + "session.timeout.ms", "6000",
                RouterConfig.STREAMS_PREFIX + "heartbeat.interval.ms", "1000"));
        RouterApp app = RouterApp.start(config, topics, args[0], Duration.ofSeconds(30));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(app::ready);
        System.out.println(READY);
        System.out.flush();
        Thread.currentThread().join();
    }
}
