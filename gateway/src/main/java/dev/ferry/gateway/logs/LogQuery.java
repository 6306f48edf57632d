package dev.ferry.gateway.logs;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The kubelet's {@code containerLogs} query options (the API server passes {@code pods/log}'s on unchanged).
 *
 * @param follow     keep the response open and send lines as they come, until the output ends
 * @param tailLines  only the last this-many lines of what exists now (then new ones, when following)
 * @param timestamps prefix each line with its RFC 3339 timestamp (nanoseconds, UTC) and a space
 * @param since      only lines read at or after this instant (from {@code sinceSeconds} or {@code sinceTime}, the later)
 * @param limitBytes stop after this many bytes of output, timestamps included
 */
public record LogQuery(boolean follow, OptionalLong tailLines, boolean timestamps, Optional<Instant> since,
                       OptionalLong limitBytes) {

    public LogQuery {
        Objects.requireNonNull(tailLines, "tailLines");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(limitBytes, "limitBytes");
    }

    /** Everything, once, without timestamps: a plain {@code kubectl logs}. */
    public static LogQuery all() {
        return new LogQuery(false, OptionalLong.empty(), false, Optional.empty(), OptionalLong.empty());
    }

    public LogQuery following() {
        return new LogQuery(true, tailLines, timestamps, since, limitBytes);
    }

    /**
     * Parses the query parameters of a {@code containerLogs} request.
     *
     * @param now the time {@code sinceSeconds} counts back from
     * @throws IllegalArgumentException for a value the kubelet would refuse, and for {@code previous=true}; the message
     *                                  tells the client what to change
     */
    public static LogQuery parse(Map<String, String> params, Instant now) {
        if (bool(params, "previous")) {
            throw new IllegalArgumentException("previous=true: Ferry's virtual node keeps no logs of earlier container "
                    + "instances (a re-routed pod shows its latest attempt); ask without --previous");
        }
        boolean follow = bool(params, "follow");
        boolean timestamps = bool(params, "timestamps");
        OptionalLong tail = number(params, "tailLines");
        if (tail.isPresent() && tail.getAsLong() < 0) {
            tail = OptionalLong.empty(); // as the kubelet: a negative tail means all of it
        }
        OptionalLong limit = number(params, "limitBytes");
        if (limit.isPresent() && limit.getAsLong() < 1) {
            throw new IllegalArgumentException("limitBytes must be greater than 0, was " + limit.getAsLong());
        }
        Optional<Instant> since = Optional.empty();
        OptionalLong sinceSeconds = number(params, "sinceSeconds");
        if (sinceSeconds.isPresent()) {
            if (sinceSeconds.getAsLong() < 1) {
                throw new IllegalArgumentException("sinceSeconds must be greater than 0, was "
                        + sinceSeconds.getAsLong());
            }
            since = Optional.of(now.minusSeconds(sinceSeconds.getAsLong()));
        }
        String sinceTime = params.get("sinceTime");
        if (sinceTime != null && !sinceTime.isEmpty()) {
            Instant parsed;
            try {
                parsed = OffsetDateTime.parse(sinceTime).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("sinceTime must be an RFC 3339 time such as 2026-01-01T10:00:00Z, "
                        + "was '" + sinceTime + "'");
            }
            if (since.isEmpty() || parsed.isAfter(since.get())) {
                since = Optional.of(parsed);
            }
        }
        return new LogQuery(follow, tail, timestamps, since, limit);
    }

    /**
     * As apimachinery's {@code Convert_Slice_string_To_bool} decodes a boolean query parameter: absent, "0" and
     * "false" (any case) are false, anything else, a bare {@code ?follow} included, is true.
     */
    private static boolean bool(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null) {
            return false;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return !(v.equals("0") || v.equals("false"));
    }

    private static OptionalLong number(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
        }
    }
}
