package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.fixtures.Pods;
import dev.ferry.router.testing.FixedIdAvroSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/**
 * Intents passed on as read ({@link IntentDeserializer}, {@link IntentBytes}) and spliced into RUN commands
 * ({@link JobCommandSerializer}) must come out exactly as decoding and encoding them would have made them.
 */
class WireIntentsTest {

    private static final String INTENTS = "ferry.pod-intents";
    private static final String JOBS = "ferry.jobs.site-a";

    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Serializer<SpecificRecord> registry = (Serializer) new FixedIdAvroSerde.Ser();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Deserializer<PodIntent> registryReader = (Deserializer) new FixedIdAvroSerde.De();

    private static PodIntent pod() {
        return Pods.named("train").inNamespace("team-a").env("MODE", "fast").requesting("cpu", "500m").requesting("memory", "1Gi")
                .annotation("slurm-job.vk.io/flags", "--partition=cpu --comment='x y'")
                .label("app", "train").create();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private IntentDeserializer reader() {
        return new IntentDeserializer(registryReader, (Serializer) registry);
    }

    @Test
    void anIntentInTheRoutersSchemaIsPassedOnAsReadAndItsRunCommandIsTheRegistrysBytes() {
        PodIntent intent = pod();
        byte[] wire = registry.serialize(INTENTS, intent);

        ReceivedIntent received = reader().deserialize(INTENTS, wire);

        assertThat(received.intent()).isEqualTo(IntentBytes.routing(intent));
        assertThat(received.asRead()).isTrue();
        assertThat(received.carried()).isEqualTo(IntentBytes.encode(intent));
        assertThat(IntentBytes.intentId(received.carried())).isEqualTo(intent.getIntentId());

        JobCommandSerializer jobs = new JobCommandSerializer(registry::serialize);
        for (String reason : new String[] {"the pod fits; spread", null}) {
            RunCommand run = new RunCommand(intent.getIntentId() + "/run/2", PodId.of(intent.getPod()), "site-a",
                    "site-a/cpu", 2, received.carried(), reason, 1_700_000_000_123L);
            byte[] spliced = jobs.serialize(JOBS, run);
            // with the intent as the gateway built it: Avro writes maps in their iteration order
            JobCommand expected = JobCommand.newBuilder(run.toJobCommand()).setIntent(intent).build();
            assertThat(spliced).isEqualTo(registry.serialize(JOBS, expected));
            JobCommand back = (JobCommand) new FixedIdAvroSerde.De().deserialize(JOBS, spliced);
            assertThat(back.getIntent()).isEqualTo(intent);
            assertThat(back.getReason()).isEqualTo(reason);
        }
    }

    @Test
    void aRecordFramedAsTheRoutersVersionWhoseBodyIsCutShortIsADeserializationErrorForTheDeadLetters() {
        byte[] wire = registry.serialize(INTENTS, pod());
        byte[] cut = java.util.Arrays.copyOf(wire, wire.length / 2);

        assertThatThrownBy(() -> reader().deserialize(INTENTS, cut))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
    }

    @Test
    void anIntentInAnotherSchemaVersionIsDecodedAndEncodedAgain() {
        PodIntent intent = pod();
        byte[] wire = registry.serialize(INTENTS, intent);
        wire[4] = 99; // another schema id: the registry would resolve it to the router's version when reading
        Deserializer<PodIntent> anyId = (topic, data) -> avro(data, 5);

        ReceivedIntent received = new IntentDeserializer(anyId, registry::serialize).deserialize(INTENTS, wire);

        assertThat(received.asRead()).isFalse();
        assertThat(received.intent()).isEqualTo(IntentBytes.routing(intent));
        assertThat(IntentBytes.ownSchema(received.carried())).isTrue();
        assertThat(IntentBytes.decode(received.carried())).isEqualTo(intent);
    }

    @Test
    void aSerializerThatDoesNotFrameAsExpectedIsNeverSpliced() {
        PodIntent intent = pod();
        Serializer<SpecificRecord> bare = (topic, record) -> record == null ? null : WireFraming.avroBody(record); // ids in headers
        byte[] wire = bare.serialize(INTENTS, intent);

        ReceivedIntent received = new IntentDeserializer((topic, data) -> avro(data, 0), bare::serialize)
                .deserialize(INTENTS, wire);
        assertThat(received.asRead()).isFalse();

        RunCommand run = new RunCommand("c", PodId.of(intent.getPod()), "site-a", "site-a/cpu", 0, received.carried(),
                "r", 5);
        Map<String, JobCommand> written = new java.util.HashMap<>();
        Serializer<JobCommand> recording = (topic, command) -> {
            written.put(topic, command);
            return bare.serialize(topic, command);
        };
        byte[] out = new JobCommandSerializer(recording).serialize(JOBS, run);
        assertThat(written.get(JOBS)).isEqualTo(run.toJobCommand());
        assertThat(out).isEqualTo(bare.serialize(JOBS, written.get(JOBS)));
    }

    @Test
    void whenTheFramingCannotBeLearnedIntentsAreStillRead() {
        PodIntent intent = pod();
        Serializer<PodIntent> refusing = (topic, record) -> {
            throw new IllegalStateException("registry: not allowed to register");
        };

        ReceivedIntent received = new IntentDeserializer(registryReader, refusing)
                .deserialize(INTENTS, registry.serialize(INTENTS, intent));

        assertThat(received.intent()).isEqualTo(IntentBytes.routing(intent));
        assertThat(received.asRead()).isFalse();
    }

    @Test
    void carriedBytesOfAnotherSchemaAreNeverSplicedIntoACommand() {
        PodIntent intent = pod();
        byte[] other = IntentBytes.encode(intent);
        other[5] ^= 1; // another fingerprint: not the router's schema version
        RunCommand run = new RunCommand("c", PodId.of(intent.getPod()), "site-a", "site-a/cpu", 0, other, "r", 5);

        assertThat(IntentBytes.ownSchema(other)).isFalse();
        assertThatThrownBy(() -> new JobCommandSerializer(registry::serialize).serialize(JOBS, run))
                .hasMessageContaining("fingerprint"); // decoding says the schema is unknown rather than writing garbage
    }

    private static PodIntent avro(byte[] data, int offset) {
        try {
            return new SpecificDatumReader<>(PodIntent.class)
                    .read(null, DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
