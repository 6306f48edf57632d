package dev.ferry.schema;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How event values are serialized: which schema registry, and which serializer classes.
 *
 * <p>The default is Apicurio's Avro serde, which writes the Confluent wire format (magic byte 0,
 * a 4-byte schema id, Avro binary), so Confluent, Apicurio and Karapace deserializers all read
 * Ferry's topics. To use Confluent's own serde instead, put it on the classpath and set
 * {@code ferry.serde.serializer=io.confluent.kafka.serializers.KafkaAvroSerializer},
 * {@code ferry.serde.deserializer=io.confluent.kafka.serializers.KafkaAvroDeserializer},
 * {@code ferry.serde.config.schema.registry.url=...} and
 * {@code ferry.serde.config.specific.avro.reader=true}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>{@code ferry.registry.url}</td><td>base URL of the registry, e.g. {@code http://127.0.0.1:8080} (required)</td></tr>
 *   <tr><td>{@code ferry.serde.serializer}</td><td>serializer class (default Apicurio's {@code AvroKafkaSerializer})</td></tr>
 *   <tr><td>{@code ferry.serde.deserializer}</td><td>deserializer class (default Apicurio's {@code AvroKafkaDeserializer})</td></tr>
 *   <tr><td>{@code ferry.serde.auto-register}</td><td>register schemas on first write (default true)</td></tr>
 *   <tr><td>{@code ferry.serde.config.*}</td><td>passed to both, prefix removed</td></tr>
 * </table>
 */
public record SerdeConfig(String registryUrl, String serializerClass, String deserializerClass,
                          boolean autoRegister, Map<String, String> passThrough) {

    public static final String REGISTRY_URL = "ferry.registry.url";
    public static final String SERIALIZER = "ferry.serde.serializer";
    public static final String DESERIALIZER = "ferry.serde.deserializer";
    public static final String AUTO_REGISTER = "ferry.serde.auto-register";
    public static final String PASS_THROUGH_PREFIX = "ferry.serde.config.";

    public static final String APICURIO_SERIALIZER = "io.apicurio.registry.serde.avro.AvroKafkaSerializer";
    public static final String APICURIO_DESERIALIZER = "io.apicurio.registry.serde.avro.AvroKafkaDeserializer";

    public SerdeConfig {
        if (registryUrl == null || !(registryUrl.startsWith("http://") || registryUrl.startsWith("https://"))) {
            throw new ConfigException(REGISTRY_URL, "must be the registry's http(s) base URL, e.g. http://127.0.0.1:8080, was '" + registryUrl + "'");
        }
        registryUrl = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
        passThrough = Map.copyOf(passThrough);
    }

    public static SerdeConfig forRegistry(String registryUrl) {
        return new SerdeConfig(registryUrl, APICURIO_SERIALIZER, APICURIO_DESERIALIZER, true, Map.of());
    }

    public static SerdeConfig fromMap(Map<String, String> map) {
        return from(ConfigValues.of(map), map);
    }

    public static SerdeConfig from(ConfigValues values, Map<String, String> raw) {
        Map<String, String> passThrough = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(PASS_THROUGH_PREFIX)) {
                passThrough.put(k.substring(PASS_THROUGH_PREFIX.length()), v);
            }
        });
        return new SerdeConfig(
                values.get(REGISTRY_URL).orElseThrow(() -> new ConfigException(REGISTRY_URL,
                        "is required: the schema registry's base URL, e.g. http://127.0.0.1:8080 (ferry dev prints it)")),
                values.string(SERIALIZER, APICURIO_SERIALIZER),
                values.string(DESERIALIZER, APICURIO_DESERIALIZER),
                values.bool(AUTO_REGISTER, true),
                passThrough);
    }

    /** The Apicurio core API (v3) this base URL serves, unless the URL already names an API. */
    public String apicurioApiUrl() {
        return registryUrl.contains("/apis/") ? registryUrl : registryUrl + "/apis/registry/v3";
    }

    /** The settings handed to the serializer and deserializer. */
    public Map<String, Object> serdeProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("apicurio.registry.url", apicurioApiUrl());
        props.put("apicurio.registry.auto-register", Boolean.toString(autoRegister));
        props.put("apicurio.registry.use-specific-avro-reader", "true");
        // register each event schema whole (nested types inlined), not as a web of references:
        // any Confluent-compatible reader then resolves the id with one lookup
        props.put("apicurio.registry.dereference-schema", "true");
        // a dead registry must not stall a consumer for long: the reader dead-letters the record instead
        props.put("apicurio.registry.retry-count", "2");
        props.put("apicurio.registry.retry-backoff-ms", "200");
        if (serializerClass.equals(APICURIO_SERIALIZER) || deserializerClass.equals(APICURIO_DESERIALIZER)) {
            // Apicurio's own provider recomputes each schema's fingerprint for every record
            props.put("apicurio.registry.avro-datum-provider", CachedAvroDatumProvider.class.getName());
        }
        props.putAll(passThrough);
        return props;
    }
}
