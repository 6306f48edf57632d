package dev.ferry.gateway.intent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.SealedValue;
import dev.ferry.executor.model.Unsealer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SealerTest {

    @Test
    void theExecutorsUnsealerOpensWhatIsSealed() {
        byte[] plain = "s3cr3t \u00e9\n".getBytes(StandardCharsets.UTF_8);
        SealedValue sealed = TestPods.sealer().seal(plain);

        assertThat(sealed.getKeyId()).isEqualTo("k1");
        assertThat(sealed.getAlgorithm()).isEqualTo("AES-256-GCM");
        assertThat(TestPods.bytes(sealed.getNonce())).hasSize(12);
        // the 16-byte tag is appended
        assertThat(TestPods.bytes(sealed.getCiphertext())).hasSize(plain.length + 16);
        Unsealer.Result opened = new Unsealer(Map.of("k1", TestPods.KEY)).open(sealed.getKeyId(), sealed.getAlgorithm(),
                TestPods.bytes(sealed.getNonce()), TestPods.bytes(sealed.getCiphertext()));
        assertThat(opened.plaintext()).hasValueSatisfying(p -> assertThat(p).isEqualTo(plain));
    }

    @Test
    void anotherKeyCannotOpenIt() {
        SealedValue sealed = TestPods.sealer().seal("x".getBytes(StandardCharsets.UTF_8));
        Unsealer.Result opened = new Unsealer(Map.of("k1", new byte[32])).open(sealed.getKeyId(), sealed.getAlgorithm(),
                TestPods.bytes(sealed.getNonce()), TestPods.bytes(sealed.getCiphertext()));
        assertThat(opened.plaintext()).isEmpty();
    }

    @Test
    void everySealHasAFreshNonce() {
        Sealer sealer = TestPods.sealer();
        byte[] plain = "same".getBytes(StandardCharsets.UTF_8);
        SealedValue a = sealer.seal(plain);
        SealedValue b = sealer.seal(plain);
        assertThat(TestPods.bytes(a.getNonce())).isNotEqualTo(TestPods.bytes(b.getNonce()));
        assertThat(TestPods.bytes(a.getCiphertext())).isNotEqualTo(TestPods.bytes(b.getCiphertext()));
        assertThat(TestPods.open(a)).isEqualTo(TestPods.open(b)).isEqualTo("same");
    }

    @Test
    void aKeyOfTheWrongLengthIsRefusedWithItsLength() {
        assertThatThrownBy(() -> new Sealer("k1", new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes")
                .hasMessageContaining("32");
        assertThatThrownBy(() -> new Sealer(" ", new byte[32])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key id");
    }

    @Test
    void fromBase64DecodesAndTrims() {
        String b64 = Base64.getEncoder().encodeToString(TestPods.KEY);
        Sealer sealer = Sealer.fromBase64("k2", b64 + "\n");
        assertThat(sealer.keyId()).isEqualTo("k2");
        SealedValue sealed = sealer.seal("v".getBytes(StandardCharsets.UTF_8));
        Unsealer.Result opened = new Unsealer(Map.of("k2", TestPods.KEY)).open("k2", sealed.getAlgorithm(),
                TestPods.bytes(sealed.getNonce()), TestPods.bytes(sealed.getCiphertext()));
        assertThat(opened.plaintext()).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("v"));
    }

    @Test
    void fromBase64ErrorsNeverEchoTheKey() {
        String notBase64 = "not-base64!-topsecretmaterial";
        assertThatThrownBy(() -> Sealer.fromBase64("k1", notBase64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'k1'")
                .hasMessageContaining("not valid base64")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret").doesNotContain("!"));
        String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Sealer.fromBase64("k1", shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortKey).doesNotContain("sixteen"));
        assertThatThrownBy(() -> Sealer.fromBase64("k1", "")).hasMessageContaining("empty");
        assertThat(TestPods.sealer().toString()).doesNotContain(Base64.getEncoder().encodeToString(TestPods.KEY));
    }
}
