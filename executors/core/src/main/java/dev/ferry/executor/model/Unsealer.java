package dev.ferry.executor.model;

import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens Secret values that the gateway sealed with AES-256-GCM (ciphertext with the 128-bit tag
 * appended, a 12-byte nonce, no associated data) under a key shared with the executors, named by
 * its key id so keys can rotate.
 */
public final class Unsealer {

    private final Map<String, byte[]> keys;

    public Unsealer(Map<String, byte[]> keys) {
        this.keys = Map.copyOf(keys);
    }

    /**
     * The plaintext, or an error message that names the key id when it cannot be opened.
     */
    public Result open(String keyId, String algorithm, byte[] nonce, byte[] ciphertext) {
        if (!"AES-256-GCM".equals(algorithm)) {
            return Result.failed("sealed with " + algorithm + ", but this executor only opens AES-256-GCM");
        }
        byte[] key = keys.get(keyId);
        if (key == null) {
            return Result.failed("sealed with key '" + keyId + "', which this site does not have (add it under secrets.keys in site.yaml)");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            return new Result(Optional.of(cipher.doFinal(ciphertext)), Optional.empty());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Result.failed("cannot be opened with key '" + keyId + "' (wrong key or damaged value)");
        }
    }

    /** Seals {@code plaintext} the way the gateway does; for tests and tools. */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Plaintext or the reason there is none. */
    public record Result(Optional<byte[]> plaintext, Optional<String> error) {
        static Result failed(String error) {
            return new Result(Optional.empty(), Optional.of(error));
        }
    }
}
