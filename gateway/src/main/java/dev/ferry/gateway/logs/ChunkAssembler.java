package dev.ferry.gateway.logs;

import dev.ferry.events.LogChunk;
import dev.ferry.events.LogStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one container's {@code LogChunk}s, in topic order, into lines: stdout and stderr each cut at their newlines
 * (lines of the two streams interleave whole, never mid-line), bytes already seen dropped by their offset (an
 * executor that restarts ships its streams again from offset 0), and only the highest attempt kept (a re-routed pod
 * starts over on another site). Pure; one per reader.
 */
final class ChunkAssembler {

    /** What one chunk added; {@code reset} says a higher attempt began, so lines of the earlier one are void. */
    record Accepted(List<LogLine> lines, boolean reset) {
        static final Accepted NOTHING = new Accepted(List.of(), false);
    }

    private static final class StreamState {
        long next;
        boolean eof;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        Instant partialAt;
    }

    private final String container;
    private int attempt = -1;
    private final Map<LogStream, StreamState> streams = new EnumMap<>(LogStream.class);

    ChunkAssembler(String container) {
        this.container = container;
    }

    Accepted accept(LogChunk chunk) {
        if (!container.equals(chunk.getContainer()) || chunk.getAttempt() < attempt) {
            return Accepted.NOTHING;
        }
        boolean reset = false;
        if (chunk.getAttempt() > attempt) {
            reset = attempt >= 0;
            attempt = chunk.getAttempt();
            streams.clear();
        }
        StreamState s = streams.computeIfAbsent(chunk.getStream(), k -> new StreamState());
        if (s.eof) {
            return new Accepted(List.of(), reset);
        }
        byte[] data = bytes(chunk.getData());
        long offset = chunk.getOffset();
        long end = offset + data.length;
        List<LogLine> lines = new ArrayList<>();
        if (end > s.next) {
            // a gap (offset > next: the start was deleted by retention, or reading began at a time) is taken as it is
            int skip = offset < s.next ? (int) (s.next - offset) : 0;
            split(s, chunk.getStream(), data, skip, chunk.getAt(), lines);
            s.next = end;
        }
        if (chunk.getEof()) {
            s.eof = true;
            flushPartial(s, chunk.getStream(), lines);
        }
        return new Accepted(lines, reset);
    }

    /**
     * Whether the container's output is complete: stdout and stderr both ended (an executor ships an end for each),
     * or a single combined stream ({@code UNKNOWN}) ended.
     */
    boolean ended() {
        return eof(LogStream.STDOUT) && eof(LogStream.STDERR) || eof(LogStream.UNKNOWN);
    }

    /** The unterminated last pieces of the streams, for a reader that stops now (without follow). */
    List<LogLine> partials() {
        List<LogLine> lines = new ArrayList<>();
        streams.forEach((stream, s) -> {
            if (s.partial.size() > 0) {
                lines.add(new LogLine(s.partialAt, stream, s.partial.toByteArray()));
            }
        });
        return lines;
    }

    private boolean eof(LogStream stream) {
        StreamState s = streams.get(stream);
        return s != null && s.eof;
    }

    private static void split(StreamState s, LogStream stream, byte[] data, int from, Instant at,
                              List<LogLine> lines) {
        int start = from;
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                Instant lineAt = s.partial.size() > 0 ? s.partialAt : at;
                s.partial.write(data, start, i + 1 - start);
                lines.add(new LogLine(lineAt, stream, s.partial.toByteArray()));
                s.partial.reset();
                start = i + 1;
            }
        }
        if (start < data.length) {
            if (s.partial.size() == 0) {
                s.partialAt = at;
            }
            s.partial.write(data, start, data.length - start);
        }
    }

    private static void flushPartial(StreamState s, LogStream stream, List<LogLine> lines) {
        if (s.partial.size() > 0) {
            lines.add(new LogLine(s.partialAt, stream, s.partial.toByteArray()));
            s.partial.reset();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
