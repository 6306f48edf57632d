package dev.ferry.devkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerHintsTest {

    private static final Map<String, String> LINUX = Map.of("os.name", "Linux", "user.home", "/home/u");

    @Test
    void nothingConfiguredMeansNoEndpoint() {
        assertThat(DockerHints.anyEndpointConfigured(Map.<String, String>of()::get, LINUX::get, p -> false)).isFalse();
    }

    @Test
    void dockerHostInTheEnvironmentIsEnough() {
        assertThat(DockerHints.anyEndpointConfigured(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375")::get, LINUX::get,
                p -> false)).isTrue();
    }

    @Test
    void theStandardSocketIsEnough() {
        assertThat(DockerHints.anyEndpointConfigured(Map.<String, String>of()::get, LINUX::get,
                p -> p.equals(Path.of("/var/run/docker.sock")))).isTrue();
    }

    @Test
    void rootlessAndDesktopSocketsAndTestcontainersPropertiesCount() {
        assertThat(DockerHints.candidateFiles(Map.of("XDG_RUNTIME_DIR", "/run/user/1000")::get, LINUX::get))
                .contains(Path.of("/run/user/1000/docker.sock"),
                        Path.of("/home/u/.docker/desktop/docker.sock"),
                        Path.of("/home/u/.testcontainers.properties"));
    }

    @Test
    void windowsIsLeftToTestcontainers() {
        assertThat(DockerHints.anyEndpointConfigured(Map.<String, String>of()::get,
                Map.of("os.name", "Windows 11", "user.home", "C:\\Users\\u")::get, p -> false)).isTrue();
    }
}
