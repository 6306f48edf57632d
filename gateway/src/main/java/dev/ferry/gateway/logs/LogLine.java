package dev.ferry.gateway.logs;

import dev.ferry.events.LogStream;
import java.util.Objects;

/**
 * One line of a container's output, its newline included; only the last piece of a finished stream may lack one.
 *
 * @param at     when the line's first byte was read (what {@code timestamps=true} prints, what {@code sinceSeconds}
 *               compares)
 * @param stream stdout or stderr
 * @param bytes  the line's bytes, as the container wrote them
 */
public record LogLine(java.time.Instant at, LogStream stream, byte[] bytes) {

    public LogLine {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** A line of text; {@code text} should end with a newline. */
    public static LogLine of(java.time.Instant at, String text) {
        return new LogLine(at, LogStream.STDOUT, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return at + " " + stream + " " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8).stripTrailing();
    }
}
