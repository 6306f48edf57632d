package dev.ferry.devkit.junit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Whether any Docker endpoint is configured where Testcontainers looks for one. Without any, asking
 * Testcontainers is pointless, and it would log a multi-line ERROR ("Could not find a valid Docker environment")
 * into every module's test output on machines that simply have no engine. With one, Testcontainers decides.
 */
final class DockerHints {

    private DockerHints() {
    }

    /**
     * @param environment      environment variables
     * @param systemProperties system properties (for {@code user.home}, {@code os.name}, {@code docker.host})
     * @param exists           file-existence check
     */
    static boolean anyEndpointConfigured(UnaryOperator<String> environment, UnaryOperator<String> systemProperties,
                                         Predicate<Path> exists) {
        if (isSet(environment.apply("DOCKER_HOST")) || isSet(environment.apply("TESTCONTAINERS_HOST_OVERRIDE"))
                || isSet(systemProperties.apply("docker.host"))) {
            return true;
        }
        String os = systemProperties.apply("os.name");
        if (os != null && os.toLowerCase(Locale.ROOT).startsWith("windows")) {
            return true; // named pipes, which are not files
        }
        return candidateFiles(environment, systemProperties).stream().anyMatch(exists);
    }

    /** Sockets of Docker, rootless Docker, Docker Desktop and the usual alternatives, plus configuration files. */
    static List<Path> candidateFiles(UnaryOperator<String> environment, UnaryOperator<String> systemProperties) {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("/var/run/docker.sock"));
        String runtimeDir = environment.apply("XDG_RUNTIME_DIR");
        if (isSet(runtimeDir)) {
            files.add(Path.of(runtimeDir, "docker.sock"));
        }
        String home = systemProperties.apply("user.home");
        if (isSet(home)) {
            files.add(Path.of(home, ".testcontainers.properties")); // tc.host, docker.host, Testcontainers Cloud
            files.add(Path.of(home, ".docker-java.properties"));
            files.add(Path.of(home, ".docker", "run", "docker.sock"));
            files.add(Path.of(home, ".docker", "desktop", "docker.sock"));
            files.add(Path.of(home, ".rd", "docker.sock"));
            files.add(Path.of(home, ".colima", "default", "docker.sock"));
            files.add(Path.of(home, ".orbstack", "run", "docker.sock"));
        }
        return files;
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
