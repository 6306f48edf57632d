package dev.ferry.cli;

import dev.ferry.devkit.Versions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code ferry --version}: the Maven project version (filtered into {@code version.properties} at build time). */
final class FerryVersion implements IVersionProvider {

    static final String RESOURCE = "version.properties";

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = FerryVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("dev/ferry/cli/" + RESOURCE + " is missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dev/ferry/cli/" + RESOURCE, e);
        }
        String version = properties.getProperty("ferry.version", "");
        if (version.isBlank() || version.startsWith("${")) {
            throw new IllegalStateException("dev/ferry/cli/" + RESOURCE + " was not filtered by the build");
        }
        return version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
                "ferry " + version(),
                "ferry dev runs Kafka " + Versions.kafka() + " and Apicurio Registry " + Versions.apicurioRegistry(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
