package dev.ferry.gateway.intent;

import dev.ferry.events.SealedValue;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals Secret data before it goes to Kafka, so no Secret value travels in clear text: AES-256-GCM
 * from the JDK, a fresh random 12-byte nonce per value, the 128-bit tag appended to the ciphertext,
 * no associated data, labelled with a key id so keys can rotate. The executors' {@code Unsealer}
 * opens it with the same key. Thread-safe.
 */
public final class Sealer {

    /** The algorithm name written into every {@link SealedValue}. */
    public static final String ALGORITHM = "AES-256-GCM";

    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String keyId;
    private final SecretKeySpec key;

    /**
     * @param keyId names the key in every sealed value (the executors look it up by this id)
     * @param key   exactly 32 bytes; copied
     * @throws IllegalArgumentException if the key id is blank or the key is not 32 bytes long
     */
    public Sealer(String keyId, byte[] key) {
        Objects.requireNonNull(key, "key");
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("the sealing key needs a non-blank key id");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the sealing key '" + keyId + "' is " + key.length
                    + " bytes long; AES-256-GCM needs exactly " + KEY_BYTES + " bytes (e.g. `openssl rand -base64 32`)");
        }
        this.keyId = keyId;
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /**
     * A sealer for a key given in standard base64 (surrounding whitespace ignored). Error messages
     * name the key id and what is wrong, never the key.
     *
     * @throws IllegalArgumentException if the text is not base64 or does not decode to 32 bytes
     */
    public static Sealer fromBase64(String keyId, String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            throw new IllegalArgumentException("the sealing key '" + keyId + "' is empty; give 32 random bytes in base64 "
                    + "(e.g. `openssl rand -base64 32`)");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            // the JDK's message quotes the offending character: not repeated here
            throw new IllegalArgumentException("the sealing key '" + keyId + "' is not valid base64 (standard alphabet "
                    + "A-Z a-z 0-9 + /, with = padding); give 32 random bytes in base64 (e.g. `openssl rand -base64 32`)");
        }
        return new Sealer(keyId, key);
    }

    /** Encrypts {@code plaintext} under a fresh random nonce. */
    public SealedValue seal(byte[] plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] ciphertext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            ciphertext = cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            // every JDK ships AES/GCM; reaching here means a broken JDK, not bad input
            throw new IllegalStateException("AES/GCM is not available in this JDK", e);
        }
        return SealedValue.newBuilder()
                .setKeyId(keyId)
                .setAlgorithm(ALGORITHM)
                .setNonce(ByteBuffer.wrap(nonce))
                .setCiphertext(ByteBuffer.wrap(ciphertext))
                .build();
    }

    /** The key id written into every sealed value. */
    public String keyId() {
        return keyId;
    }

    @Override
    public String toString() {
        return "Sealer[keyId=" + keyId + ", " + ALGORITHM + "]";
    }
}
