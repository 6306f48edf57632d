package dev.ferry.devkit.junit;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Asks Testcontainers whether a Docker engine is usable, in bounded time: Testcontainers' own probe tries every
 * strategy it knows (environment, socket, Docker Desktop, ...) and could wait on an unresponsive socket. When no
 * endpoint is configured at all ({@link DockerHints}), Testcontainers is not asked.
 */
final class DockerProbe {

    private static final Logger LOG = LoggerFactory.getLogger(DockerProbe.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private DockerProbe() {
    }

    static boolean dockerAvailable() {
        if (!DockerHints.anyEndpointConfigured(System::getenv, System::getProperty, Files::exists)) {
            LOG.info("No Docker endpoint is configured (no DOCKER_HOST, no Docker socket, no "
                    + "~/.testcontainers.properties): not asking Testcontainers");
            return false;
        }
        long started = System.nanoTime();
        CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(
                () -> DockerClientFactory.instance().isDockerAvailable(),
                runnable -> {
                    Thread thread = new Thread(runnable, "ferry-docker-probe");
                    thread.setDaemon(true);
                    thread.start();
                });
        try {
            boolean available = probe.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Testcontainers says Docker is {}available ({} ms)", available ? "" : "not ",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return available;
        } catch (TimeoutException e) {
            LOG.warn("Testcontainers did not say within {} s whether Docker is available; assuming it is not",
                    TIMEOUT.toSeconds());
            return false;
        } catch (ExecutionException e) {
            LOG.info("Testcontainers cannot use Docker: {}", e.getCause().toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
