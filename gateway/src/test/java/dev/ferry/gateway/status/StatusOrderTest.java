package dev.ferry.gateway.status;

import static dev.ferry.events.StatusSource.EXECUTOR;
import static dev.ferry.events.StatusSource.GATEWAY;
import static dev.ferry.events.StatusSource.ROUTER;
import static dev.ferry.events.StatusSource.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.PodPhase;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusOrderTest {

    @Test
    void attemptBeatsSourceAndSequence() {
        assertThat(new StatusOrder(1, GATEWAY, 0)).isGreaterThan(new StatusOrder(0, EXECUTOR, Long.MAX_VALUE));
        assertThat(new StatusOrder(1, ROUTER, 1)).isGreaterThan(new StatusOrder(0, EXECUTOR, 99));
    }

    @Test
    void sourceBeatsSequence() {
        assertThat(new StatusOrder(0, EXECUTOR, 1)).isGreaterThan(new StatusOrder(0, ROUTER, 1_000_000));
        assertThat(new StatusOrder(0, ROUTER, 1)).isGreaterThan(new StatusOrder(0, GATEWAY, 1_000_000));
    }

    @Test
    void sequenceDecidesWithinOneWriter() {
        assertThat(new StatusOrder(2, EXECUTOR, 8)).isGreaterThan(new StatusOrder(2, EXECUTOR, 7));
        assertThat(new StatusOrder(2, EXECUTOR, 7)).isEqualByComparingTo(new StatusOrder(2, EXECUTOR, 7));
    }

    @Test
    void sortsGatewayRouterExecutorAndUnknownSourcesFirst() {
        List<StatusOrder> orders = new ArrayList<>(List.of(new StatusOrder(0, EXECUTOR, 1),
                new StatusOrder(0, ROUTER, 1), new StatusOrder(0, UNKNOWN, 1), new StatusOrder(0, GATEWAY, 1)));
        Collections.sort(orders);
        assertThat(orders).extracting(StatusOrder::source).containsExactly(UNKNOWN, GATEWAY, ROUTER, EXECUTOR);
    }

    @Test
    void aDuplicateIsNotNewerButAnythingIsNewerThanNothing() {
        StatusOrder order = new StatusOrder(0, EXECUTOR, 5);
        assertThat(order.isNewerThan(Optional.of(new StatusOrder(0, EXECUTOR, 5)))).isFalse();
        assertThat(order.isNewerThan(Optional.of(new StatusOrder(0, EXECUTOR, 6)))).isFalse();
        assertThat(order.isNewerThan(Optional.of(new StatusOrder(0, EXECUTOR, 4)))).isTrue();
        assertThat(order.isNewerThan(Optional.empty())).isTrue();
    }

    @Test
    void messageRoundTrips() {
        StatusOrder order = new StatusOrder(3, EXECUTOR, 1732630000000123L);
        assertThat(order.toMessage()).isEqualTo("attempt=3 source=EXECUTOR sequence=1732630000000123");
        assertThat(StatusOrder.parse(order.toMessage())).contains(order);
        assertThat(StatusOrder.parse("sequence=7 attempt=1 source=ROUTER")).contains(new StatusOrder(1, ROUTER, 7));
    }

    @Test
    void unreadableMessagesGiveNoOrder() {
        assertThat(StatusOrder.parse(null)).isEmpty();
        assertThat(StatusOrder.parse("attempt=x source=ROUTER sequence=1")).isEmpty();
        assertThat(StatusOrder.parse("attempt=1 source=SOMEONE sequence=1")).isEmpty();
        assertThat(StatusOrder.parse("attempt=1 source=ROUTER")).isEmpty();
    }

    @Test
    void readsTheOrderFromThePodCondition() {
        Pod pod = StatusFixtures.pod("p").build();
        assertThat(StatusOrder.of(pod)).isEmpty();

        var event = StatusFixtures.event(pod, PodPhase.RUNNING, 1, EXECUTOR, 42).build();
        pod.setStatus(PodStatusMapper.apply(pod, event));
        assertThat(StatusOrder.of(pod)).contains(new StatusOrder(1, EXECUTOR, 42));
        assertThat(StatusOrder.of(event)).isEqualTo(new StatusOrder(1, EXECUTOR, 42));

        pod.getStatus().getConditions().stream().filter(c -> c.getType().equals(StatusOrder.CONDITION))
                .forEach(c -> c.setStatus("False"));
        assertThat(StatusOrder.of(pod)).as("a condition that is not True holds no order").isEmpty();
    }
}
