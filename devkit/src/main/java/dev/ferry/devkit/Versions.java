package dev.ferry.devkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions of the real infrastructure the devkit runs, taken from the build (the parent POM's version
 * properties, filtered into {@code dev/ferry/devkit/devkit.properties}), so they are stated in one place.
 */
public final class Versions {

    private static final Properties PROPERTIES = load();

    private Versions() {
    }

    /** The Kafka version on the classpath, e.g. {@code 4.4.0}. */
    public static String kafka() {
        return get("kafka.version");
    }

    /** The Docker image used when Testcontainers runs the broker, e.g. {@code apache/kafka:4.1.0}. */
    public static String kafkaContainerImage() {
        return get("kafka.container.image");
    }

    /** The Apicurio Registry server version that {@code ApicurioRegistry} launches, e.g. {@code 3.0.9}. */
    public static String apicurioRegistry() {
        return get("apicurio.registry.version");
    }

    private static String get(String key) {
        String value = PROPERTIES.getProperty(key);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("devkit.properties has no value for '" + key
                    + "': the devkit jar was built without resource filtering");
        }
        return value;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("devkit.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/ferry/devkit/devkit.properties is missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dev/ferry/devkit/devkit.properties", e);
        }
        return properties;
    }
}
