package dev.ferry.router;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB settings for the router's stores, set through {@code rocksdb.config.setter} ({@link RouterApp}).
 *
 * <p>Kafka Streams leaves out the bloom filters of RocksDB's last level ({@code optimize_filters_for_hits}), which
 * suits stores whose look-ups mostly find their key. The router's mostly do not: every new pod is looked up in
 * {@value RouterTopology#PODS_STORE} before it has a state. Without a filter such a miss reads the last level's index
 * and data blocks; with one it is answered from the filter. The memtable gets a whole-key bloom filter for the same
 * reason (a miss there otherwise walks the skip list). Timed inside the processor under {@code RouterBenchmark}'s
 * load (2 cores), a look-up of an absent pod took 8–10 µs with Kafka Streams' own settings and 7–8 µs with these
 * (1.5 µs in an in-memory store): the rest is the store's layers and the JNI call.
 */
public final class RouterRocksDbConfig implements RocksDBConfigSetter {

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setOptimizeFiltersForHits(false);
        options.setMemtableWholeKeyFiltering(true);
        options.setMemtablePrefixBloomSizeRatio(0.05);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing allocated here
    }
}
