package dev.ferry.router;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB settings for the router's stores, set through {@code rocksdb.config.setter} ({@link RouterApp}).
 *
 * <p>Kafka Streams leaves out the bloom filters of RocksDB's last level ({@code optimize_filters_for_hits}), which
 * suits stores whose look-ups mostly find their key. The router's may not: a pod that {@link KnownPods} lets through
 * without having been stored (3 % of new pods), and the pods forgotten after the retention, are looked up in
 * {@value RouterTopology#PODS_STORE} and not found. Without a filter such a miss reads the last level's index and
 * data blocks; with one it is answered from the filter. (Session 4 also gave the memtable a whole-key bloom filter;
 * once {@link KnownPods} kept most misses away from the store it only added 0.3 – 0.5 µs to every write, measured
 * with rocksdbjni 10.10 on the CI machine, and was removed.)
 */
public final class RouterRocksDbConfig implements RocksDBConfigSetter {

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setOptimizeFiltersForHits(false);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing allocated here
    }
}
