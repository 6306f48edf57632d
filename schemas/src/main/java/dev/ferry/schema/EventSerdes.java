package dev.ferry.schema;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
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
        // fail now on a class that does not exist; build (and connect) only when first used, so
        // admin work with a Topics registry never starts the registry client
        Class<?> serializerType = load(config.serializerClass(), SerdeConfig.SERIALIZER, Serializer.class);
        Class<?> deserializerType = load(config.deserializerClass(), SerdeConfig.DESERIALIZER, Deserializer.class);
        return new LazySerde<>(() -> {
            Serializer<T> serializer = instantiate(serializerType, SerdeConfig.SERIALIZER);
            serializer.configure(config.serdeProperties(), isKey);
            return serializer;
        }, () -> {
            Deserializer<T> deserializer = instantiate(deserializerType, SerdeConfig.DESERIALIZER);
            deserializer.configure(config.serdeProperties(), isKey);
            return deserializer;
        });
    }

    /** A serde whose serializer and deserializer are made on first use, once. */
    private static final class LazySerde<T> implements Serde<T> {
        private final Supplier<Serializer<T>> serializerFactory;
        private final Supplier<Deserializer<T>> deserializerFactory;
        private volatile Serializer<T> serializer;
        private volatile Deserializer<T> deserializer;

        LazySerde(Supplier<Serializer<T>> serializerFactory, Supplier<Deserializer<T>> deserializerFactory) {
            this.serializerFactory = serializerFactory;
            this.deserializerFactory = deserializerFactory;
        }

        @Override
        public synchronized Serializer<T> serializer() {
            if (serializer == null) {
                serializer = serializerFactory.get();
            }
            return serializer;
        }

        @Override
        public synchronized Deserializer<T> deserializer() {
            if (deserializer == null) {
                deserializer = deserializerFactory.get();
            }
            return deserializer;
        }

        @Override
        public synchronized void close() {
            if (serializer != null) {
                serializer.close();
            }
            if (deserializer != null) {
                deserializer.close();
            }
        }
    }

    private static Class<?> load(String className, String key, Class<?> expected) {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : EventSerdes.class.getClassLoader();
            Class<?> type = Class.forName(className, false, loader);
            if (!expected.isAssignableFrom(type)) {
                throw new ConfigException(key, className + " is not a Kafka " + expected.getSimpleName());
            }
            return type;
        } catch (ClassNotFoundException e) {
            throw new ConfigException(key, "class " + className + " is not on the classpath");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T instantiate(Class<?> type, String key) {
        try {
            return (T) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key, "cannot create " + type.getName() + ": " + e);
        }
    }
}
