package dev.ferry.loadtest.router;

import dev.ferry.router.RouterApp;
import dev.ferry.router.RouterConfig;
import dev.ferry.schema.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The router's shape without the router: the same topics, hops, stores and writes per intent, but every record passed
 * on as bytes and no decision made. Intents are read as bytes; each is stored under its pod UID (the pods store) and
 * sent on to one of four "pools" by a hash (the pool inbox); there it is stored under pool + UID (the holdings), a
 * per-pool counter is updated (the ledger, cached), and it is written to {@code jobs.site-a} with a decision-sized
 * record on {@code decisions}. Run with the router's Streams settings (exactly_once_v2, the same commit interval), its
 * throughput is the ceiling of this topology on this machine: what the router would do if deciding cost nothing.
 */
final class ShapeTwin implements AutoCloseable {

    private static final byte[] DECISION = new byte[200];

    private final KafkaStreams streams;

    private ShapeTwin(KafkaStreams streams) {
        this.streams = streams;
    }

    static ShapeTwin start(RouterConfig config, Topics topics, String bootstrapServers, String inbox) {
        Topology topology = new Topology();
        topology.addSource("in", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.podIntents().name());
        topology.addProcessor("route", Route::new, "in");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("twin-pods"), Serdes.String(),
                Serdes.ByteArray()), "route");
        topology.addSink("to-inbox", inbox, Serdes.String().serializer(), Serdes.ByteArray().serializer(), "route");
        topology.addSource("inbox", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), inbox);
        topology.addProcessor("reserve", Reserve::new, "inbox");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("twin-holdings"),
                Serdes.String(), Serdes.ByteArray()), "reserve");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("twin-ledgers"),
                Serdes.String(), Serdes.Long()).withCachingEnabled(), "reserve");
        topology.addSink("to-jobs", topics.jobs("site-a").name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), "reserve");
        topology.addSink("to-decisions", topics.decisions().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), "reserve");
        // the router's own Streams settings (exactly_once_v2, commit interval, threads, state directory, overrides)
        Properties p = RouterApp.streamsProperties(config, topics, bootstrapServers);
        KafkaStreams streams = new KafkaStreams(topology, p);
        streams.start();
        return new ShapeTwin(streams);
    }

    boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }

    /** Stores the intent under its UID and sends UID + intent to a pool chosen by hash. */
    private static final class Route implements Processor<String, byte[], String, byte[]> {
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> pods;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.pods = context.getStateStore("twin-pods");
        }

        @Override
        public void process(Record<String, byte[]> record) {
            byte[] uid = record.key().getBytes(StandardCharsets.UTF_8);
            pods.put(record.key(), uid);
            byte[] value = ByteBuffer.allocate(4 + uid.length + record.value().length).putInt(uid.length).put(uid)
                    .put(record.value()).array();
            context.forward(record.withKey("cpu-" + Math.floorMod(record.key().hashCode(), 4)).withValue(value));
        }
    }

    /** Stores the holding, counts the pool's pods, writes the RUN and the decision. */
    private static final class Reserve implements Processor<String, byte[], String, byte[]> {
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> holdings;
        private KeyValueStore<String, Long> ledgers;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.holdings = context.getStateStore("twin-holdings");
            this.ledgers = context.getStateStore("twin-ledgers");
        }

        @Override
        public void process(Record<String, byte[]> record) {
            ByteBuffer in = ByteBuffer.wrap(record.value());
            byte[] uidBytes = new byte[in.getInt()];
            in.get(uidBytes);
            byte[] intent = new byte[in.remaining()];
            in.get(intent);
            String uid = new String(uidBytes, StandardCharsets.UTF_8);
            holdings.put(record.key() + "/" + uid, uidBytes);
            Long count = ledgers.get(record.key());
            ledgers.put(record.key(), count == null ? 1 : count + 1);
            context.forward(record.withKey(uid).withValue(intent), "to-jobs");
            context.forward(record.withKey(uid).withValue(DECISION), "to-decisions");
        }
    }
}
