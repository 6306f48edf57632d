package dev.ferry.gateway.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway module has no logback-test.xml yet, and logback's default is DEBUG for everything: far too much from an
 * embedded broker and the HTTP clients. Integration tests call {@link #quiet()} first.
 */
public final class TestLogging {

    private TestLogging() {
    }

    public static void quiet() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
            for (String noisy : new String[] {"kafka", "org.apache.kafka", "state.change.logger", "io.apicurio",
                    "org.testcontainers", "com.github.dockerjava"}) {
                ((Logger) LoggerFactory.getLogger(noisy)).setLevel(Level.WARN);
            }
        }
    }
}
