package dev.ferry.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two gateway replicas standing for one virtual node, against the development API server. */
@ExtendWith(DevApiServerExtension.class)
class NodeLeadershipIT {


    private static final Duration LEASE = Duration.ofSeconds(3);

    /** One replica and what its callbacks saw. */
    private static final class Replica implements AutoCloseable {
        final String identity;
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger stopped = new AtomicInteger();
        final NodeLeadership leadership;

        Replica(KubernetesClient client, String identity) {
            this.identity = identity;
            this.leadership = new NodeLeadership(client, "ferry-vk", identity, LEASE, started::incrementAndGet,
                    stopped::incrementAndGet);
        }

        @Override
        public void close() {
            leadership.close();
        }
    }

    @Test
    void exactlyOneLeadsAndTheOtherTakesOverAtOnceWhenItCloses(DevApiServer api) {
        try (KubernetesClient clientA = NodeKeeperIT.client(api); KubernetesClient clientB = NodeKeeperIT.client(api);
             Replica a = new Replica(clientA, "gateway-a"); Replica b = new Replica(clientB, "gateway-b")) {
            a.leadership.start();
            b.leadership.start();

            await().atMost(LEASE.multipliedBy(2)).until(() -> a.leadership.isLeader() || b.leadership.isLeader());
            await().during(LEASE).atMost(LEASE.multipliedBy(3)).until(() ->
                    a.leadership.isLeader() != b.leadership.isLeader());
            Replica leader = a.leadership.isLeader() ? a : b;
            Replica follower = leader == a ? b : a;
            assertThat(holder(clientA)).isEqualTo(leader.identity);
            assertThat(leader.started).hasValue(1);
            assertThat(follower.started).hasValue(0);

            long closedAt = System.nanoTime();
            leader.close();
            assertThat(leader.leadership.isLeader()).isFalse();
            assertThat(holder(clientA)).as("close() released the lease").isIn("", follower.identity);
            await().atMost(LEASE).until(follower.leadership::isLeader);
            Duration takeover = Duration.ofNanos(System.nanoTime() - closedAt);

            assertThat(takeover).as("released, not expired").isLessThan(LEASE);
            assertThat(holder(clientA)).isEqualTo(follower.identity);
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
                assertThat(leader.stopped).hasValue(1);
                assertThat(follower.started).hasValue(1);
            });
        }
    }

    @Test
    void theLeaseIsNamedAfterTheNode() {
        assertThat(NodeLeadership.leaseName("ferry-vk")).isEqualTo("ferry-gateway-ferry-vk");
    }

    private static String holder(KubernetesClient client) {
        return client.leases().inNamespace("kube-node-lease").withName("ferry-gateway-ferry-vk").get().getSpec()
                .getHolderIdentity();
    }
}
