package dev.ferry.router;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Which pod UIDs a routing task's pods store may hold, as a Bloom filter, so that an intent for a pod the task has
 * never stored (nearly every CREATE) skips the store look-up. A look-up that finds nothing still costs several
 * microseconds (Kafka Streams' store layers, then RocksDB), a twentieth of the stream thread's time per intent. The
 * filter never says "not there" for a UID that is: it is built from the store's keys when the processor is
 * initialised (which Kafka Streams does again after every restore), and every write adds to it. A UID that is not
 * there may pass anyway (3 % of them), costing only the look-up; so do pods forgotten since the last rebuild. When
 * more UIDs were added than it was sized for, it is built again from the store, twice the size.
 */
final class KnownPods {

    /** The smallest filter: 0.9 MB at 3 % false positives. */
    static final long MIN_CAPACITY = 1_000_000;
    /**
     * 3 %: five bits per UID to set and test (each a likely cache miss), against a look-up in 3 of 100 new pods;
     * at 1 % it is seven.
     */
    private static final double FALSE_POSITIVES = 0.03;

    private final KeyValueStore<String, ?> pods;
    private BloomFilter<CharSequence> filter;
    private long capacity;
    private long added;

    private KnownPods(KeyValueStore<String, ?> pods) {
        this.pods = pods;
    }

    /** A filter of the UIDs {@code pods} holds now. */
    static KnownPods of(KeyValueStore<String, ?> pods) {
        return of(pods, MIN_CAPACITY);
    }

    /** A filter of the UIDs {@code pods} holds now, sized for at least {@code minCapacity} of them. */
    static KnownPods of(KeyValueStore<String, ?> pods, long minCapacity) {
        KnownPods known = new KnownPods(pods);
        known.rebuild(minCapacity);
        return known;
    }

    /** False only when the store certainly holds no pod {@code uid}. */
    boolean mayHold(String uid) {
        return filter.mightContain(uid);
    }

    /** Records that the store now holds {@code uid}; call on every write of a pod. */
    void stored(String uid) {
        if (filter.put(uid) && ++added > capacity) {
            rebuild(2 * capacity);
        }
    }

    private void rebuild(long atLeast) {
        capacity = Math.max(atLeast, 2 * Math.max(0, pods.approximateNumEntries()));
        // the UID's chars are hashed as they are: the filter never leaves this process, so no stable encoding is needed
        filter = BloomFilter.create(Funnels.unencodedCharsFunnel(), capacity, FALSE_POSITIVES);
        added = 0;
        try (KeyValueIterator<String, ?> keys = pods.all()) {
            while (keys.hasNext()) {
                filter.put(keys.next().key);
                added++;
            }
        }
    }

    /** The number of UIDs the current filter was sized for. */
    long capacity() {
        return capacity;
    }
}
