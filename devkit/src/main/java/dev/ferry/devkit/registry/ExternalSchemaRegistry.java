package dev.ferry.devkit.registry;

import java.util.Objects;

/** A registry run by someone else; the devkit never starts or stops it. */
record ExternalSchemaRegistry(String baseUrl) implements SchemaRegistry {

    ExternalSchemaRegistry {
        Objects.requireNonNull(baseUrl, "baseUrl");
        baseUrl = baseUrl.strip();
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw new IllegalArgumentException("schema registry URL must start with http:// or https://: " + baseUrl);
        }
    }
}
