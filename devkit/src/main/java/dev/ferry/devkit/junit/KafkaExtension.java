package dev.ferry.devkit.junit;

import dev.ferry.devkit.Versions;
import dev.ferry.devkit.kafka.ContainerKafkaBroker;
import dev.ferry.devkit.kafka.EmbeddedKafkaBroker;
import dev.ferry.devkit.kafka.ExternalKafkaBroker;
import dev.ferry.devkit.kafka.KafkaBroker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a {@link KafkaBroker} to test constructors, lifecycle methods and test methods:
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * class RouterIT {
 *     @Test
 *     void routes(KafkaBroker kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 *
 * <p>One broker serves the whole test run (all classes in this JVM) and is closed when the run ends, so tests
 * must isolate themselves by name ({@link TestNames#unique(String)}), never by a fresh broker. The broker is, in
 * order: the external cluster in {@code KAFKA_BOOTSTRAP_SERVERS}; a Testcontainers broker ({@code apache/kafka})
 * when Testcontainers finds a Docker engine; else a real KRaft broker embedded in this JVM.
 * {@code FERRY_TEST_KAFKA=embedded} (or {@code testcontainers}) skips the Docker probe and forces that kind.
 * Topics are not auto-created on the devkit's own brokers.
 */
public final class KafkaExtension implements ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);
    private static final String KEY = "broker";

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    /**
     * The run's broker, started on first use; for extensions and fixtures that need it outside a parameter.
     * It is an {@link AutoCloseable} in the root store, which JUnit closes when the run ends.
     */
    public static KafkaBroker broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, key -> startBroker(), KafkaBroker.class);
    }

    private static KafkaBroker startBroker() {
        KafkaChoice choice = KafkaChoice.choose(System::getenv, DockerProbe::dockerAvailable);
        long started = System.nanoTime();
        KafkaBroker broker = switch (choice) {
            case EXTERNAL -> new ExternalKafkaBroker(System.getenv(KafkaChoice.BOOTSTRAP_ENV));
            case TESTCONTAINERS -> ContainerKafkaBroker.start(Versions.kafkaContainerImage());
            case EMBEDDED -> EmbeddedKafkaBroker.start();
        };
        LOG.info("Kafka for this test run ({}): {}, ready after {} ms", choice.name().toLowerCase(), broker.describe(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return broker;
    }
}
