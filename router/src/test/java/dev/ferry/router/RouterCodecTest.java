package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.fixtures.Pods;
import dev.ferry.router.model.Candidate;
import dev.ferry.router.model.PoolUsage;
import dev.ferry.router.model.PoolView;
import dev.ferry.router.model.Resources;
import dev.ferry.router.testing.PoolAdverts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class RouterCodecTest {

    private static final PodId POD = new PodId("ns", "name", "uid-1");

    private static <T> T roundTrip(Serde<T> serde, T value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    @Test
    void messagesToPoolsSurviveTheTrip() {
        byte[] intent = IntentBytes.encode(Pods.named("p").requesting("cpu", "500m").create());
        PoolMessage.Reserve reserve = new PoolMessage.Reserve("pool", POD, 7, 2, true, -5,
                Resources.parse(Map.of("cpu", "500m", "nvidia.com/gpu", "1")), intent,
                List.of(new Candidate("pool", "site", true, true, 0.25, 0.1, List.of()),
                        new Candidate("other", "site-b", false, false, Double.NaN, Double.NaN, List.of("pool is DOWN"))));

        PoolMessage.Reserve back = (PoolMessage.Reserve) roundTrip(RouterCodec.POOL_MESSAGE, reserve);

        assertThat(back).usingRecursiveComparison().ignoringFields("intent", "candidates").isEqualTo(reserve);
        assertThat(back.candidates()).isEqualTo(reserve.candidates());
        assertThat(IntentBytes.decode(back.intent())).isEqualTo(IntentBytes.decode(intent));
        assertThat(roundTrip(RouterCodec.POOL_MESSAGE, new PoolMessage.Cancel("pool", POD, 3)))
                .isEqualTo(new PoolMessage.Cancel("pool", POD, 3));
        assertThat(roundTrip(RouterCodec.POOL_MESSAGE, new PoolMessage.Release("pool", POD, 3)))
                .isEqualTo(new PoolMessage.Release("pool", POD, 3));
        PoolMessage.AdvertChanged advert = new PoolMessage.AdvertChanged("gpu", PoolAdverts.pool("gpu").advert());
        assertThat(roundTrip(RouterCodec.POOL_MESSAGE, advert)).isEqualTo(advert);
        assertThat(roundTrip(RouterCodec.POOL_MESSAGE, new PoolMessage.AdvertChanged("gone", null)))
                .isEqualTo(new PoolMessage.AdvertChanged("gone", null));
    }

    @Test
    void answersToPodsSurviveTheTrip() {
        byte[] intent = {4, 2};
        for (PodMessage m : List.of(new PodMessage.NoRoom(1, "p", "full", intent),
                new PodMessage.Unavailable(2, "p", "DOWN", intent), new PodMessage.Queued(3, "p", "s", 4, "waiting"),
                new PodMessage.Bounced(5, "p", "gone", intent),
                new PodMessage.CancelOutcome(6, "p", PodMessage.CancelOutcome.Kind.CANCEL_SENT),
                new PodMessage.Undecodable("NOT_AVRO: x"))) {
            assertThat(roundTrip(RouterCodec.POD_MESSAGE, m)).usingRecursiveComparison().isEqualTo(m);
        }
    }

    @Test
    void statesSurviveTheTrip() {
        PodState state = new PodState(POD, PodState.Phase.QUEUED, List.of("a", "b"), 1, 9, "pool",
                Set.of("x"), Map.of("y", "DOWN"), true, 3, 4, 12345);
        assertThat(roundTrip(RouterCodec.POD_STATE, state)).usingRecursiveComparison().isEqualTo(state);
        PodState fresh = PodState.fresh(POD, "i", 1);
        assertThat(roundTrip(RouterCodec.POD_STATE, fresh)).usingRecursiveComparison().isEqualTo(fresh);

        PoolView view = new PoolView(Adverts.spec(PoolAdverts.pool("gpu").taint("k", "v", "NoSchedule").namespaces("a")
                .maxWalltime(60).advert()), new PoolUsage(Resources.parse(Map.of("cpu", "1")), Resources.NONE, 1, 0), 42);
        byte[] encoded = RouterCodec.POOL_VIEW.serializer().serialize("t", view);
        assertThat(RouterCodec.POOL_VIEW.deserializer().deserialize("t", encoded)).isEqualTo(view);

        assertThat(roundTrip(RouterCodec.POOL_SPEC, view.spec())).isEqualTo(view.spec());
        PoolLedger.Counts counts = new PoolLedger(view.spec(), view.usage(), 17, 43).counts();
        assertThat(roundTrip(RouterCodec.LEDGER_COUNTS, counts)).isEqualTo(counts);
        Holding holding = new Holding(POD, 1, 0, "site", Resources.parse(Map.of("cpu", "2")), "q", false);
        assertThat(roundTrip(RouterCodec.HOLDING, holding)).isEqualTo(holding);
        QueueEntry entry = new QueueEntry(POD, 1, 0, 5, Resources.NONE, new byte[] {9}, 7);
        assertThat(roundTrip(RouterCodec.QUEUE_ENTRY, entry)).usingRecursiveComparison().isEqualTo(entry);
    }

    @Test
    void anotherFormatIsRefusedLoudly() {
        byte[] bytes = RouterCodec.POD_MESSAGE.serializer().serialize("t", new PodMessage.Undecodable("x"));
        bytes[0] = 9;
        assertThatThrownBy(() -> RouterCodec.POD_MESSAGE.deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("format 9");
        assertThatThrownBy(() -> RouterCodec.POD_MESSAGE.deserializer().deserialize("t", new byte[] {1, 13, 0}))
                .isInstanceOf(SerializationException.class).hasMessageStartingWith("not a router record on t");
    }

    @Test
    void queueKeysOrderByPriorityThenArrival() {
        List<String> keys = List.of(PoolKeeper.queueKey("p", Integer.MAX_VALUE, 5), PoolKeeper.queueKey("p", 10, 0),
                PoolKeeper.queueKey("p", 10, 1), PoolKeeper.queueKey("p", 0, 0), PoolKeeper.queueKey("p", -1, 0),
                PoolKeeper.queueKey("p", Integer.MIN_VALUE, 0));
        assertThat(keys).isSorted();
    }
}
