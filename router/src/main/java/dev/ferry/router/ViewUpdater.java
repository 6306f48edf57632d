package dev.ferry.router;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global store of pool views: the encoded view as published, decoded (and cached) by its readers. */
final class ViewUpdater implements Processor<String, byte[], Void, Void> {

    private KeyValueStore<String, byte[]> views;

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
    }
}
