package dev.ferry.devkit.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/** Formats KRaft log directories the way {@code kafka-storage.sh format} does, inside this JVM. */
final class KafkaStorage {

    private KafkaStorage() {
    }

    /**
     * Formats {@code logDir} (the {@code log.dirs} of {@code serverProperties}) for a new single-voter
     * (standalone) cluster, unless it is formatted already: then it is left as it is, so a broker restarts on
     * its old data. ({@code --ignore-formatted} is not enough for that: it still fails when the directory's
     * cluster id differs from the new one.)
     */
    static void formatIfNeeded(Path serverProperties, Path logDir) {
        if (isFormatted(logDir)) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        String[] args = {"format", "-t", clusterId, "-c", serverProperties.toAbsolutePath().toString(),
                "--standalone"};
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        // StorageTool.execute is main() without System.exit: it returns the exit code or throws
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(args, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("kafka-storage format failed for " + serverProperties + ": " + e.getMessage()
                    + describeOutput(output), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("kafka-storage format exited with " + exitCode + " for " + serverProperties
                    + describeOutput(output));
        }
    }

    /** Whether {@code logDir} was formatted before (it holds {@code meta.properties}). */
    static boolean isFormatted(Path logDir) {
        return Files.isRegularFile(logDir.resolve("meta.properties"));
    }

    private static String describeOutput(ByteArrayOutputStream output) {
        String text = output.toString(StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "" : System.lineSeparator() + text;
    }
}
