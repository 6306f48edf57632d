package dev.ferry.devkit.junit;

import dev.ferry.devkit.registry.ApicurioRegistry;
import dev.ferry.devkit.registry.SchemaRegistry;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a {@link SchemaRegistry} to test constructors, lifecycle methods and test methods: the registry at
 * {@code FERRY_REGISTRY_URL} (its base URL, e.g. {@code http://registry:8080}) when that is set, else one real
 * {@link ApicurioRegistry} launched for the whole test run and stopped when the run ends. Registries are shared,
 * so tests name their subjects with {@link TestNames#unique(String)}. Combines with {@link KafkaExtension}:
 * {@code @ExtendWith({KafkaExtension.class, RegistryExtension.class})}.
 */
public final class RegistryExtension implements ParameterResolver {

    /** The environment variable naming an external registry's base URL. */
    public static final String REGISTRY_URL_ENV = "FERRY_REGISTRY_URL";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RegistryExtension.class);
    private static final String KEY = "registry";

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SchemaRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return registry(extensionContext);
    }

    /** The run's registry, started on first use. */
    public static SchemaRegistry registry(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, key -> new Holder(startRegistry()), Holder.class).registry();
    }

    private static SchemaRegistry startRegistry() {
        String url = System.getenv(REGISTRY_URL_ENV);
        if (url != null && !url.isBlank()) {
            SchemaRegistry external = SchemaRegistry.at(url);
            LOG.info("Schema registry for this test run (external, from {}): {}", REGISTRY_URL_ENV, external.baseUrl());
            return external;
        }
        ApicurioRegistry registry = ApicurioRegistry.start();
        LOG.info("Schema registry for this test run: {}", registry);
        return registry;
    }

    /** Closes the registry at the end of the run when the devkit launched it; an external one is left alone. */
    private record Holder(SchemaRegistry registry) implements AutoCloseable {
        @Override
        public void close() {
            if (registry instanceof ApicurioRegistry launched) {
                launched.close();
            }
        }
    }
}
