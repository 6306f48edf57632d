package dev.ferry.router;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store of pool views: the encoded view as published, decoded (and cached) by its readers. Every
 * change is counted in {@code changes}, which the readers compare to know when to look at the store again.
 */
final class ViewUpdater implements Processor<String, byte[], Void, Void> {

    private final AtomicLong changes;
    private KeyValueStore<String, byte[]> views;

    ViewUpdater(AtomicLong changes) {
        this.changes = changes;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        views = context.getStateStore(RouterTopology.VIEWS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            views.delete(record.key());
        } else {
            views.put(record.key(), record.value());
        }
        changes.incrementAndGet();
    }
}
