package dev.ferry.devkit.kafka;

import dev.ferry.devkit.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker and controller ports for a start. A data directory that an earlier broker formatted keeps the ports
 * it had, because the single-voter quorum recorded the controller's address when it was formatted.
 */
record PortChoice(int brokerPort, int controllerPort, boolean freshlyChosen) {

    private static final Pattern PLAINTEXT = Pattern.compile("PLAINTEXT://[^:,]+:(\\d+)");
    private static final Pattern CONTROLLER = Pattern.compile("CONTROLLER://[^:,]+:(\\d+)");

    /**
     * @param brokerPort     requested client port, 0 for any
     * @param controllerPort requested controller port, 0 for any
     * @param dataDir        holds {@code server.properties} and {@code logs/} of an earlier run, if any
     */
    static PortChoice choose(int brokerPort, int controllerPort, Path dataDir) {
        if (brokerPort != 0 && controllerPort != 0) {
            return new PortChoice(brokerPort, controllerPort, false);
        }
        Path previous = dataDir.resolve("server.properties");
        if (KafkaStorage.isFormatted(dataDir.resolve("logs")) && Files.isRegularFile(previous)) {
            String listeners = readListeners(previous);
            Matcher b = PLAINTEXT.matcher(listeners);
            Matcher c = CONTROLLER.matcher(listeners);
            if (b.find() && c.find()) {
                return new PortChoice(brokerPort != 0 ? brokerPort : Integer.parseInt(b.group(1)),
                        controllerPort != 0 ? controllerPort : Integer.parseInt(c.group(1)), false);
            }
        }
        return new PortChoice(brokerPort != 0 ? brokerPort : Ports.freePort(),
                controllerPort != 0 ? controllerPort : Ports.freePort(), true);
    }

    private static String readListeners(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            return "";
        }
        return properties.getProperty("listeners", "");
    }
}
