package dev.ferry.gateway.intent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SortedMap;
import java.util.TreeMap;

/** The keys of ConfigMaps and Secrets as the kubelet sees them: what a volume gets, what env gets. Pure. */
final class Payloads {

    private Payloads() {
    }

    /** Files of a ConfigMap volume: {@code data} as UTF-8 and {@code binaryData}, by key. */
    static SortedMap<String, byte[]> configMapFiles(ConfigMap configMap) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        if (configMap.getData() != null) {
            configMap.getData().forEach((k, v) -> out.put(k, v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8)));
        }
        if (configMap.getBinaryData() != null) {
            configMap.getBinaryData().forEach((k, v) -> out.put(k, decode(v, "binaryData", k, "configmap", configMap.getMetadata())));
        }
        return out;
    }

    /** What env can take from a ConfigMap: only {@code data} (the kubelet ignores binaryData there). */
    static SortedMap<String, String> configMapEnv(ConfigMap configMap) {
        SortedMap<String, String> out = new TreeMap<>();
        if (configMap.getData() != null) {
            configMap.getData().forEach((k, v) -> out.put(k, v == null ? "" : v));
        }
        return out;
    }

    /** A Secret's values, decoded: {@code data} (base64), then {@code stringData} over it as the API server merges them. */
    static SortedMap<String, byte[]> secretData(Secret secret) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> out.put(k, decode(v, "data", k, "secret", secret.getMetadata())));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> out.put(k, v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static byte[] decode(String base64, String field, String key, String kind,
                                 io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        if (base64 == null) {
            return new byte[0];
        }
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            // never quote the value: it may be a secret
            throw new IllegalArgumentException(kind + " \"" + (meta == null ? "?" : meta.getName()) + "\": " + field
                    + "[" + key + "] is not base64", e);
        }
    }
}
