package dev.ferry.router;

import dev.ferry.events.PoolAdvert;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards each pool advert (a deletion too) to the pool's partition of the pool inbox. */
final class AdvertForwarder implements Processor<String, PoolAdvert, String, PoolMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(AdvertForwarder.class);

    private ProcessorContext<String, PoolMessage> context;

    @Override
    public void init(ProcessorContext<String, PoolMessage> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, PoolAdvert> record) {
        String poolId = record.key() != null ? record.key() : record.value() != null ? record.value().getPoolId() : null;
        if (poolId == null) {
            LOG.warn("pool advert without key or pool id ignored: {}", record.value());
            return;
        }
        context.forward(record.withKey(poolId).withValue(new PoolMessage.AdvertChanged(poolId, record.value())));
    }
}
