package dev.ferry.gateway.intent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.PodIntent;
import dev.ferry.gateway.intent.ReferenceResolver.Resolved;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What goes on the wire: the Avro bytes of an intent hold ConfigMap values but no Secret plaintext. */
class SealedIntentEncodingTest {

    @Test
    void secretPlaintextNeverAppearsInTheEncodedIntent() throws Exception {
        Resolved refs = new Resolved(Map.of("app-config", TestPods.appConfig("science")),
                Map.of("db-creds", TestPods.dbCreds("science")));
        PodIntent intent = PodIntents.create(TestPods.rich(), refs, TestPods.sealer(), "ferry-node", "gw-1",
                Instant.parse("2026-11-26T10:00:00Z"));

        ByteBuffer encoded = PodIntent.getEncoder().encode(intent);
        byte[] bytes = TestPods.bytes(encoded);

        // the ConfigMap value is there in plain (the check itself can find things)...
        assertThat(indexOf(bytes, TestPods.LOG_LEVEL.getBytes(StandardCharsets.UTF_8))).isNotNegative();
        // ...the Secret values are not, neither from env nor from files
        assertThat(indexOf(bytes, TestPods.PASSWORD.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(indexOf(bytes, TestPods.USER.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(indexOf(bytes, TestPods.b64(TestPods.PASSWORD).getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);

        // and what a reader decodes still opens to the secret
        PodIntent decoded = PodIntent.getDecoder().decode(encoded);
        assertThat(decoded).isEqualTo(intent);
        assertThat(PodIntentsTest.env(decoded.getSpec().getContainers().get(0))).contains("DB_PASSWORD=sealed:" + TestPods.PASSWORD);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
