package dev.ferry.schema;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Builds the registry-backed serdes for Ferry's event values from a {@link SerdeConfig}. The
 * serializer and deserializer classes are settings, so a deployment can swap in another
 * Confluent-wire-format implementation without a code change.
 */
public final class EventSerdes {
    static {
        AvroModels.registerLogicalTypes();
    }

    private final SerdeConfig config;
    private final Map<Class<?>, Serde<?>> cache = new ConcurrentHashMap<>();

    public EventSerdes(SerdeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public SerdeConfig config() {
        return config;
    }

    /** A value serde for one generated event class; the same instance is returned for the same class. */
    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> Serde<T> value(Class<T> type) {
        return (Serde<T>) cache.computeIfAbsent(type, t -> create(false));
    }

    private <T> Serde<T> create(boolean isKey) {
        Serializer<T> serializer = instantiate(config.serializerClass(), SerdeConfig.SERIALIZER, Serializer.class);
        Deserializer<T> deserializer = instantiate(config.deserializerClass(), SerdeConfig.DESERIALIZER, Deserializer.class);
        Map<String, Object> props = config.serdeProperties();
        serializer.configure(props, isKey);
        deserializer.configure(props, isKey);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    @SuppressWarnings("unchecked")
    private static <T> T instantiate(String className, String key, Class<?> expected) {
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : EventSerdes.class.getClassLoader());
            if (!expected.isAssignableFrom(type)) {
                throw new ConfigException(key, className + " is not a Kafka " + expected.getSimpleName());
            }
            return (T) type.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new ConfigException(key, "class " + className + " is not on the classpath");
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key, "cannot create " + className + ": " + e);
        }
    }
}
