package dev.ferry.gateway.status;

import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The order of a pod's status events across all their writers: (attempt, source, sequence), compared in that
 * order. A re-routed pod's next attempt beats everything of the previous one; within an attempt the router
 * (Queued, Rejected) comes before the executor that runs the pod; within a writer the sequence decides.
 *
 * <p>The gateway applies an event only when its order is newer than the last one applied, and stores that order on
 * the pod itself, in the status condition {@value #CONDITION} written together with the status, so the rule holds
 * across gateway restarts: replays and duplicates are harmless.
 *
 * <p>Sources rank {@code UNKNOWN < GATEWAY < ROUTER < EXECUTOR}: a source this gateway does not know (a newer
 * writer, decoded with the schema's default) never overrides a known writer of the same attempt.
 */
public record StatusOrder(int attempt, StatusSource source, long sequence) implements Comparable<StatusOrder> {

    /** The pod condition type that carries the order of the last status event applied to a pod. */
    public static final String CONDITION = "ferry.dev/StatusOrder";

    private static final Comparator<StatusOrder> ORDER = Comparator.comparingInt(StatusOrder::attempt)
            .thenComparingInt(o -> rank(o.source()))
            .thenComparingLong(StatusOrder::sequence);

    public StatusOrder {
        Objects.requireNonNull(source, "source");
    }

    /** The order of a status event. */
    public static StatusOrder of(PodStatusEvent e) {
        return new StatusOrder(e.getAttempt(), e.getSource(), e.getSequence());
    }

    /**
     * The order of the last event applied to a pod, from its {@value #CONDITION} condition; empty when the pod has
     * none (no event applied yet) or when its message cannot be read (then any event is newer).
     */
    public static Optional<StatusOrder> of(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        List<PodCondition> conditions = pod.getStatus().getConditions();
        return conditions.stream()
                .filter(c -> CONDITION.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst()
                .flatMap(c -> parse(c.getMessage()));
    }

    /**
     * Reads a message written by {@link #toMessage()}.
     *
     * @return empty when the text is not of that form
     */
    public static Optional<StatusOrder> parse(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : message.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            int attempt = Integer.parseInt(fields.get("attempt"));
            StatusSource source = StatusSource.valueOf(fields.get("source"));
            long sequence = Long.parseLong(fields.get("sequence"));
            return Optional.of(new StatusOrder(attempt, source, sequence));
        } catch (RuntimeException e) { // NumberFormatException, IllegalArgumentException, NullPointerException
            return Optional.empty();
        }
    }

    /** The condition message, e.g. {@code attempt=0 source=EXECUTOR sequence=1732630000000123}. */
    public String toMessage() {
        return "attempt=" + attempt + " source=" + source.name() + " sequence=" + sequence;
    }

    /** Whether this order is strictly newer than {@code other}; everything is newer than nothing. */
    public boolean isNewerThan(Optional<StatusOrder> other) {
        return other.isEmpty() || compareTo(other.get()) > 0;
    }

    @Override
    public int compareTo(StatusOrder other) {
        return ORDER.compare(this, other);
    }

    private static int rank(StatusSource source) {
        return switch (source) {
            case GATEWAY -> 1;
            case ROUTER -> 2;
            case EXECUTOR -> 3;
            default -> 0;
        };
    }
}
