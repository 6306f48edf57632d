package dev.ferry.executor.spi;

/**
 * Creates a backend from its section of {@code site.yaml}; found with {@link java.util.ServiceLoader}
 * (list implementations in {@code META-INF/services/dev.ferry.executor.spi.BackendFactory}), so
 * the runtime and the {@code ferry executor} command know no backend by name.
 */
public interface BackendFactory {

    /** The value of {@code backend.type} this factory handles, e.g. {@code slurm}. */
    String type();

    /**
     * Builds the backend. Configuration errors are {@link dev.ferry.schema.ConfigException}s
     * naming the key ({@code backend.slurm.workDir: ...}).
     */
    Backend create(BackendContext context);
}
