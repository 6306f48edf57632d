package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.Candidate;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import dev.ferry.events.RoutingDecision;
import dev.ferry.fixtures.Pods;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Passing intents on as bytes against the real Apicurio registry and its serdes: the framing is learned by lookup
 * only, and a spliced RUN command is what Apicurio's serializer writes.
 */
@ExtendWith(RegistryExtension.class)
class WireFramingIT {

    private Serde<PodIntent> gateway;
    private Serde<JobCommand> jobs;
    private Serde<RoutingDecision> decisions;
    private Serde<PodIntent> lookupOnly;
    private String intents;

    @BeforeEach
    void serdes(SchemaRegistry registry) {
        SerdeConfig registering = SerdeConfig.forRegistry(registry.baseUrl());
        gateway = new EventSerdes(registering).value(PodIntent.class);
        jobs = new EventSerdes(registering).value(JobCommand.class);
        decisions = new EventSerdes(registering).value(RoutingDecision.class);
        lookupOnly = new EventSerdes(new SerdeConfig(registering.registryUrl(), registering.serializerClass(),
                registering.deserializerClass(), false, registering.passThrough())).value(PodIntent.class);
        intents = TestNames.unique("wire") + ".pod-intents";
    }

    private static PodIntent pod() {
        return Pods.named("train").requesting("cpu", "2").requesting("memory", "4Gi").env("MODE", "fast")
                .annotation("slurm-job.vk.io/flags", "--partition=cpu").create();
    }

    @Test
    void anIntentTheGatewayWroteInTheRoutersSchemaIsPassedOnAndSplicedAsApicurioWouldWriteIt() {
        PodIntent intent = pod();
        byte[] wire = gateway.serializer().serialize(intents, intent);

        ReceivedIntent received = new IntentDeserializer(gateway.deserializer(), lookupOnly.serializer())
                .deserialize(intents, wire);

        assertThat(received.intent()).isEqualTo(IntentBytes.routing(intent));
        assertThat(received.asRead()).isTrue();
        assertThat(received.carried()).isEqualTo(IntentBytes.encode(intent));

        String topic = TestNames.unique("wire") + ".jobs.site-a";
        RunCommand run = new RunCommand(intent.getIntentId() + "/run/0", PodId.of(intent.getPod()), "site-a",
                "site-a/cpu", 0, received.carried(), "the pod fits", 1_700_000_000_000L);
        byte[] spliced = new JobCommandSerializer(jobs.serializer()).serialize(topic, run);

        JobCommand expected = JobCommand.newBuilder(run.toJobCommand()).setIntent(intent).build();
        assertThat(spliced).isEqualTo(jobs.serializer().serialize(topic, expected));
        assertThat(jobs.deserializer().deserialize(topic, spliced)).isEqualTo(expected);
    }

    @Test
    void onATopicWhereTheRoutersSchemaIsNotRegisteredNothingIsRegisteredAndIntentsAreEncodedAgain() {
        PodIntent intent = pod();
        byte[] wire = gateway.serializer().serialize(intents, intent);
        String unregistered = TestNames.unique("wire") + ".pod-intents";

        ReceivedIntent received = new IntentDeserializer(gateway.deserializer(), lookupOnly.serializer())
                .deserialize(unregistered, wire);

        assertThat(received.intent()).isEqualTo(IntentBytes.routing(intent));
        assertThat(received.asRead()).isFalse();
        assertThat(IntentBytes.decode(received.carried())).isEqualTo(intent);
        // the first lookup registered nothing under the topic the router only reads: a second one still fails
        assertThatThrownBy(() -> WireFraming.learn(lookupOnly.serializer(), unregistered, IntentBytes.SAMPLE))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void aDecisionWrittenByHandIsWhatApicuriosSerializerWrites() {
        String topic = TestNames.unique("wire") + ".decisions";
        RoutingDecision decision = new RoutingDecision("uid-1/1/assigned/1", "intent-1", new PodRef("team-a", "train",
                "uid-1"), DecisionOutcome.ASSIGNED, "site-a/cpu", "site-a", 1, "the pod fits",
                List.of(new Candidate("site-a/cpu", "site-a", true, 0.5, List.of()),
                        new Candidate("site-b/gpu", "site-b", false, null, List.of("needs nvidia.com/gpu=1, pool offers 0"))),
                Instant.ofEpochMilli(1_700_000_000_000L));

        byte[] written = new DecisionSerializer(decisions.serializer()).serialize(topic, decision);

        assertThat(written).isEqualTo(decisions.serializer().serialize(topic, decision));
        assertThat(decisions.deserializer().deserialize(topic, written)).isEqualTo(decision);
    }
}
