package dev.ferry.devkit.registry;

/**
 * A schema registry that speaks Apicurio's own API and the Confluent-compatible one, e.g. a launched
 * {@link ApicurioRegistry} or an external one ({@link #at(String)}).
 */
public interface SchemaRegistry {

    /** The server root without a trailing slash, e.g. {@code http://127.0.0.1:41234}. */
    String baseUrl();

    /** The Confluent-compatible API, for Confluent-style serdes and tools: {@code baseUrl() + "/apis/ccompat/v7"}. */
    default String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Apicurio's own API, for Apicurio serdes: {@code baseUrl() + "/apis/registry/v3"}. */
    default String registryV3Url() {
        return baseUrl() + "/apis/registry/v3";
    }

    /** A registry that someone else runs, at {@code baseUrl} (a trailing slash is dropped). */
    static SchemaRegistry at(String baseUrl) {
        return new ExternalSchemaRegistry(baseUrl);
    }
}
