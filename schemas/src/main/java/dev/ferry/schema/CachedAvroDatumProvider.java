package dev.ferry.schema;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;

/**
 * Apicurio's Avro datum provider with its caches keyed by the schema object. The default provider looks its cached
 * reader or writer up by the schema's parsing-form fingerprint, which it computes from scratch for every record:
 * measured here, that is most of the serde's time (about 70 % of it for a {@code JobCommand}, tens of microseconds
 * per record). The schemas a serde sees are a few long-lived objects (a generated class's {@code SCHEMA$}, the
 * registry client's parsed schema per id), and {@link Schema} caches its hash code and compares identity first, so
 * the lookup costs nanoseconds; a schema not seen yet goes to the default provider.
 *
 * <p>{@link SerdeConfig} selects it (serde setting {@code apicurio.registry.avro-datum-provider}) whenever the
 * serde is Apicurio's; {@code ferry.serde.config.apicurio.registry.avro-datum-provider} overrides that.
 */
public final class CachedAvroDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public CachedAvroDatumProvider() {
        super();
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        DatumWriter<T> writer = writers.get(schema);
        return writer != null ? writer : cache(writers, schema, super.createDatumWriter(data, schema));
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        DatumReader<T> reader = readers.get(schema);
        return reader != null ? reader : cache(readers, schema, super.createDatumReader(schema));
    }

    private static <V> V cache(Map<Schema, V> cache, Schema schema, V value) {
        if (cache.size() < 1_000) {
            cache.put(schema, value);
        }
        return value;
    }
}
