package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.Container;
import dev.ferry.events.NodeSelectorRequirement;
import dev.ferry.events.NodeSelectorTerm;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.Toleration;
import dev.ferry.fixtures.Pods;
import dev.ferry.router.avro.RoutingIntent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** {@link RoutingIntent}, the part of a {@link PodIntent} the routing side decodes. */
class RoutingIntentTest {

    @Test
    void theProjectionResolvesAgainstPodIntentWithoutDefaultsStandingIn() {
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(RoutingIntent.getClassSchema(),
                PodIntent.getClassSchema());
        assertThat(compatibility.getType()).as(compatibility.getDescription())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertFieldsArePodIntents(RoutingIntent.getClassSchema(), PodIntent.getClassSchema(), "PodIntent");
    }

    @Test
    void everyFieldReadHasTheValueThePodIntentHas() {
        PodIntent pod = Pods.named("train").inNamespace("team-a").requesting("cpu", "500m").limiting("memory", "2Gi")
                .annotation("slurm-job.vk.io/flags", "--partition=cpu").label("app", "train").env("MODE", "fast")
                .nodeSelector("ferry.dev/site", "site-a").tolerating("gpu", "NoSchedule").activeDeadlineSeconds(600)
                .priority(7).create();
        PodIntent full = PodIntent.newBuilder(pod).setSpec(PodSpecSnapshot.newBuilder(pod.getSpec())
                .setInitContainers(List.of(Container.newBuilder().setName("init").setImage("busybox")
                        .setRequests(Map.of("cpu", "2")).build()))
                .setRequiredNodeAffinity(List.of(NodeSelectorTerm.newBuilder()
                        .setMatchExpressions(List.of(NodeSelectorRequirement.newBuilder().setKey("zone").setOperator("In")
                                .setValues(List.of("a", "b")).build()))
                        .setMatchFields(List.of(NodeSelectorRequirement.newBuilder().setKey("metadata.name")
                                .setOperator("NotIn").setValues(List.of("cpu-1")).build()))
                        .build()))
                .setTolerations(List.of(pod.getSpec().getTolerations().get(0),
                        Toleration.newBuilder().setOperator("Exists").build()))
                .build()).build();

        RoutingIntent read = IntentBytes.routing(IntentBytes.encode(full));

        assertSameValues(read, full, "intent");
        assertThat(read.getSpec().getContainers().get(0).getRequests()).containsEntry("cpu", "500m");
        assertThat(read.getSpec().getInitContainers()).hasSize(1);
        assertThat(read.getSpec().getRequiredNodeAffinity().get(0).getMatchFields().get(0).getValues())
                .containsExactly("cpu-1");
    }

    @Test
    void aTruncatedBodyIsASerializationErrorNotAHalfReadIntent() {
        byte[] carried = IntentBytes.encode(Pods.named("p").create());
        byte[] truncated = Arrays.copyOf(carried, carried.length - 3);

        assertThatThrownBy(() -> IntentBytes.routing(truncated, IntentBytes.BODY_OFFSET))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not a PodIntent");
    }

    /** Every projected field is the full record's field of the same name, type and default, recursively. */
    private static void assertFieldsArePodIntents(Schema projection, Schema full, String path) {
        for (Schema.Field field : projection.getFields()) {
            Schema.Field original = full.getField(field.name());
            assertThat(original).as(path + "." + field.name() + " exists in PodIntent").isNotNull();
            assertThat(String.valueOf(field.defaultVal())).as(path + "." + field.name() + " default")
                    .isEqualTo(String.valueOf(original.defaultVal()));
            Schema p = nonNull(field.schema());
            Schema f = nonNull(original.schema());
            assertThat(p.getType()).as(path + "." + field.name() + " type").isEqualTo(f.getType());
            if (p.getType() == Schema.Type.ARRAY) {
                p = p.getElementType();
                f = f.getElementType();
            }
            if (p.getType() == Schema.Type.RECORD) {
                assertThat(p.getAliases()).as(path + "." + field.name() + " aliases").contains(f.getFullName());
                assertFieldsArePodIntents(p, f, path + "." + field.name());
            } else if (p.getType() == Schema.Type.ENUM) {
                assertThat(p.getEnumSymbols()).isEqualTo(f.getEnumSymbols());
                assertThat(p.getEnumDefault()).isEqualTo(f.getEnumDefault());
            }
        }
    }

    private static Schema nonNull(Schema schema) {
        return schema.getType() == Schema.Type.UNION
                ? schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow()
                : schema;
    }

    private static void assertSameValues(Object projected, Object full, String path) {
        if (projected instanceof IndexedRecord p && full instanceof IndexedRecord f) {
            for (Schema.Field field : p.getSchema().getFields()) {
                assertSameValues(p.get(field.pos()), f.get(f.getSchema().getField(field.name()).pos()),
                        path + "." + field.name());
            }
        } else if (projected instanceof List<?> p && full instanceof List<?> f) {
            assertThat(p).as(path).hasSameSizeAs(f);
            for (int i = 0; i < p.size(); i++) {
                assertSameValues(p.get(i), f.get(i), path + "[" + i + "]");
            }
        } else if (projected instanceof Enum<?> || projected instanceof GenericEnumSymbol<?>) {
            assertThat(projected.toString()).as(path).isEqualTo(String.valueOf(full));
        } else {
            assertThat(projected).as(path).isEqualTo(full);
        }
    }
}
