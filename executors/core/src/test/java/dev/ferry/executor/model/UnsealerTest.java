package dev.ferry.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnsealerTest {
    @Test
    void opensWhatWasSealedAndNamesTheMissingKey() {
        byte[] key = new byte[32];
        key[0] = 7;
        byte[] nonce = new byte[12];
        byte[] sealed = Unsealer.seal(key, nonce, "s3cret".getBytes(StandardCharsets.UTF_8));
        Unsealer unsealer = new Unsealer(Map.of("k1", key));

        assertThat(unsealer.open("k1", "AES-256-GCM", nonce, sealed).plaintext()).hasValueSatisfying(p ->
                assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("s3cret"));
        assertThat(unsealer.open("k2", "AES-256-GCM", nonce, sealed).error()).hasValueSatisfying(e -> assertThat(e).contains("'k2'"));
        sealed[0] ^= 1;
        assertThat(unsealer.open("k1", "AES-256-GCM", nonce, sealed).error()).hasValueSatisfying(e -> assertThat(e).contains("wrong key"));
    }
}
