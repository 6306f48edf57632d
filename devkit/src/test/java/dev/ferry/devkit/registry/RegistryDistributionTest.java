package dev.ferry.devkit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryDistributionTest {

    private final RegistryDistribution distribution =
            RegistryDistribution.of("3.0.9", Paths.get("/repo"), Paths.get("/cache"));

    @Test
    void tarballIsWhereMavenPutsIt() {
        assertThat(distribution.tarballPath()).isEqualTo(Paths.get(
                "/repo/io/apicurio/apicurio-registry-app/3.0.9/apicurio-registry-app-3.0.9-all.tar.gz"));
    }

    @Test
    void unpacksIntoAVersionedCacheDirectory() {
        assertThat(distribution.installDir()).isEqualTo(Paths.get("/cache/apicurio-registry-3.0.9"));
        assertThat(distribution.runnerJarPath())
                .isEqualTo(Paths.get("/cache/apicurio-registry-3.0.9/apicurio-registry-app-3.0.9-runner.jar"));
    }

    @Test
    void fetchesWithoutTransitiveResolutionUsingAPluginThatDoesNotReadTheParentPom() {
        assertThat(distribution.fetchCommand(Paths.get("/repo"), false)).containsExactly(
                "mvn", "-B", "-q", "org.apache.maven.plugins:maven-dependency-plugin:2.8:get", "-Dtransitive=false",
                "-Dartifact=io.apicurio:apicurio-registry-app:3.0.9:tar.gz:all", "-Dmaven.repo.local=/repo");
        assertThat(distribution.fetchCommand(Paths.get("/repo"), true)).contains("-o");
    }

    @Test
    void mavenRepositoryPrefersTheSystemPropertyThenTheEnvironmentThenTheHomeDirectory() {
        Map<String, String> props = Map.of("user.home", "/home/u", "maven.repo.local", "/prop");
        Map<String, String> env = Map.of("FERRY_M2_REPO", "/env");
        assertThat(RegistryDistribution.mavenRepository(props::get, env::get)).isEqualTo(Path.of("/prop"));
        assertThat(RegistryDistribution.mavenRepository(Map.of("user.home", "/home/u")::get, env::get))
                .isEqualTo(Path.of("/env"));
        assertThat(RegistryDistribution.mavenRepository(Map.of("user.home", "/home/u")::get, Map.<String, String>of()::get))
                .isEqualTo(Path.of("/home/u/.m2/repository"));
    }

    @Test
    void cacheDirComesFromTheEnvironment() {
        assertThat(RegistryDistribution.cacheDir(Map.of("FERRY_CACHE_DIR", "/c")::get)).isEqualTo(Path.of("/c"));
        assertThat(RegistryDistribution.cacheDir(Map.<String, String>of()::get)).endsWithRaw(Path.of(".cache", "ferry"));
    }
}
