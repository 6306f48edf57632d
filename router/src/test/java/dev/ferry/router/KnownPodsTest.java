package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The filter in front of the pods store never hides a stored pod, and keeps most absent ones from a look-up. */
class KnownPodsTest {

    private KeyValueStore<String, String> pods;

    @BeforeEach
    void store() {
        pods = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("pods"), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        pods.init(new MockProcessorContext<>().getStateStoreContext(), pods);
    }

    private static List<String> uids(int n) {
        List<String> uids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uids.add(UUID.randomUUID().toString());
        }
        return uids;
    }

    @Test
    void podsInTheStoreWhenBuiltAndPodsStoredSinceAreNeverHidden() {
        List<String> before = uids(500);
        before.forEach(uid -> pods.put(uid, "state"));
        KnownPods known = KnownPods.of(pods);
        List<String> since = uids(500);
        since.forEach(uid -> {
            pods.put(uid, "state");
            known.stored(uid);
        });

        assertThat(before).allMatch(known::mayHold);
        assertThat(since).allMatch(known::mayHold);
    }

    @Test
    void mostPodsNeverStoredSkipTheLookUp() {
        uids(1_000).forEach(uid -> pods.put(uid, "state"));
        KnownPods known = KnownPods.of(pods);

        long passed = uids(20_000).stream().filter(known::mayHold).count();

        assertThat(passed).as("false positives of 20,000 (sized for 3 %%)").isLessThan(1_000);
    }

    @Test
    void beyondItsCapacityItIsBuiltAgainLargerAndStillHidesNoStoredPod() {
        KnownPods known = KnownPods.of(pods, 1_000);
        List<String> stored = uids(5_000);
        stored.forEach(uid -> {
            pods.put(uid, "state");
            known.stored(uid);
        });

        assertThat(known.capacity()).isGreaterThanOrEqualTo(4_000);
        assertThat(stored).allMatch(known::mayHold);
        long passed = uids(20_000).stream().filter(known::mayHold).count();
        assertThat(passed).as("false positives of 20,000 after growing").isLessThan(1_000);
    }
}
