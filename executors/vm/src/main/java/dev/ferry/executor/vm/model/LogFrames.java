package dev.ferry.executor.vm.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses what a {@link RemoteScripts#logs log script} prints: per stream a header line
 * {@code chunk DIR CONTAINER STREAM OFFSET LENGTH}, exactly LENGTH raw bytes, and a newline. The
 * bytes are taken by count, never by looking for a delimiter, so output of any content survives.
 */
public final class LogFrames {

    private LogFrames() {
    }

    /** One stream's bytes from an offset. */
    public record Frame(String dir, String container, String stream, long offset, byte[] data) {
        public Frame {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** {@link StatusReport#logKey}. */
        public String key() {
            return StatusReport.logKey(dir, container, stream);
        }
    }

    /**
     * The frames, in order.
     *
     * @throws IllegalArgumentException when the output is cut short or a header is malformed
     */
    public static List<Frame> parse(byte[] out) {
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (i < out.length) {
            int nl = indexOf(out, (byte) '\n', i);
            if (nl < 0) {
                throw new IllegalArgumentException("log output ends inside a header at byte " + i);
            }
            String header = new String(out, i, nl - i, StandardCharsets.UTF_8);
            if (header.isBlank()) {
                i = nl + 1;
                continue;
            }
            String[] w = header.split(" ");
            if (w.length != 6 || !w[0].equals("chunk")) {
                throw new IllegalArgumentException("unexpected log header '" + header + "'");
            }
            long offset = Long.parseLong(w[4]);
            int length = Integer.parseInt(w[5]);
            int start = nl + 1;
            if (length < 0 || start + length > out.length) {
                throw new IllegalArgumentException("log output for " + w[1] + "/" + w[2] + " is cut short: " + length
                        + " bytes announced, " + (out.length - start) + " there");
            }
            frames.add(new Frame(w[1], w[2], w[3], offset, Arrays.copyOfRange(out, start, start + length)));
            i = start + length;
            if (i < out.length && out[i] == '\n') {
                i++;
            }
        }
        return frames;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
