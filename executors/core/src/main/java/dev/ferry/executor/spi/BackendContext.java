package dev.ferry.executor.spi;

import dev.ferry.executor.config.ConfigSection;
import java.time.Clock;
import java.util.Objects;

/**
 * What a {@link BackendFactory} gets: the site's name, the backend's own configuration section
 * ({@code backend.<type>} in {@code site.yaml}), a clock, and the runner for its commands.
 */
public record BackendContext(String site, ConfigSection config, Clock clock, CommandRunner runner) {
    public BackendContext {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(runner, "runner");
    }
}
