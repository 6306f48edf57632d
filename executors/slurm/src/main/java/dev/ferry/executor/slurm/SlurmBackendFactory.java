package dev.ferry.executor.slurm;

import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendContext;
import dev.ferry.executor.spi.BackendFactory;
import java.time.ZoneId;

/** {@code backend.type: slurm}; its settings are {@code backend.slurm} ({@link SlurmSettings}). */
public final class SlurmBackendFactory implements BackendFactory {

    @Override
    public String type() {
        return "slurm";
    }

    @Override
    public Backend create(BackendContext context) {
        SlurmSettings settings = context.config().bind(SlurmSettings.class);
        return new SlurmBackend(context.site(), settings, context.runner(), ZoneId.systemDefault());
    }
}
