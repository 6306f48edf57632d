package dev.ferry.devkit.junit;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Which Kafka a test run gets. In order: {@code KAFKA_BOOTSTRAP_SERVERS} (an external cluster); a Testcontainers
 * broker when a Docker engine answers; the embedded broker. {@code FERRY_TEST_KAFKA=embedded|testcontainers}
 * skips the Docker question and forces one of the last two.
 */
enum KafkaChoice {
    EXTERNAL, TESTCONTAINERS, EMBEDDED;

    static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    static final String FORCE_ENV = "FERRY_TEST_KAFKA";

    /**
     * @param environment     the environment variables
     * @param dockerAvailable asked only when the environment leaves the choice open
     */
    static KafkaChoice choose(UnaryOperator<String> environment, BooleanSupplier dockerAvailable) {
        String bootstrap = environment.apply(BOOTSTRAP_ENV);
        if (bootstrap != null && !bootstrap.isBlank()) {
            return EXTERNAL;
        }
        String forced = environment.apply(FORCE_ENV);
        if (forced != null && !forced.isBlank()) {
            return switch (forced.strip().toLowerCase(Locale.ROOT)) {
                case "embedded" -> EMBEDDED;
                case "testcontainers" -> TESTCONTAINERS;
                default -> throw new IllegalArgumentException(FORCE_ENV + " must be 'embedded' or 'testcontainers', not '"
                        + forced + "' (set " + BOOTSTRAP_ENV + " for an external cluster)");
            };
        }
        return dockerAvailable.getAsBoolean() ? TESTCONTAINERS : EMBEDDED;
    }
}
