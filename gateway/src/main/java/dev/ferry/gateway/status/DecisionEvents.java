package dev.ferry.gateway.status;

import dev.ferry.events.Candidate;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.RoutingDecision;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the router's decisions as Kubernetes events on the pods, so {@code kubectl describe pod} says where a pod
 * went, or why it waits or was rejected, and why the other pools lost.
 *
 * <p>Reasons by outcome: ASSIGNED {@value #ROUTED}, QUEUED {@value #QUEUED}, REJECTED {@value #REJECTED} (type
 * Warning), CANCELLED {@value #CANCELLED}, REROUTED {@value #REROUTED}; DUPLICATE records nothing. The event name is
 * {@code <pod>.<hash of decisionId>}, so replaying a decision creates no second event. The event carries both the
 * legacy fields (source, first/last timestamp, count) and the new ones (eventTime, reportingComponent,
 * reportingInstance, action) that the API server requires once eventTime is set; the message is cut to the 1 KiB an
 * event's note may hold.
 */
public final class DecisionEvents {

    public static final String ROUTED = "Routed";
    public static final String QUEUED = "Queued";
    public static final String REJECTED = "Rejected";
    public static final String CANCELLED = "Cancelled";
    public static final String REROUTED = "Rerouted";
    /** The event source's component, and the reporting component. */
    public static final String COMPONENT = "ferry-gateway";
    /** The longest message, in UTF-8 bytes (Kubernetes' limit for an event's note). */
    public static final int MAX_MESSAGE_BYTES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DecisionEvents.class);
    private static final int MAX_NAME = 253;
    private static final int MAX_REPORTING_INSTANCE = 128;

    private final KubernetesClient client;
    private final String nodeName;
    private final Clock clock;

    public DecisionEvents(KubernetesClient client, String nodeName, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates the event of a decision in its pod's namespace; does nothing for DUPLICATE (and UNKNOWN) decisions, or
     * when the event exists already (a replay).
     *
     * @throws KubernetesClientException when the API server refuses the event for another reason
     */
    public void record(RoutingDecision decision) {
        Optional<Event> event = toEvent(decision, nodeName, clock.instant());
        if (event.isEmpty()) {
            return;
        }
        String namespace = decision.getPod().getNamespace();
        try {
            client.v1().events().inNamespace(namespace).resource(event.get()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.debug("Event {}/{} of decision {} exists already", namespace, event.get().getMetadata().getName(),
                        decision.getDecisionId());
                return;
            }
            if (e.getCode() == 404) { // the namespace is gone, and the pod with it
                LOG.debug("Namespace {} is gone: no event for decision {}", namespace, decision.getDecisionId());
                return;
            }
            throw e;
        }
    }

    /**
     * The event of a decision, or empty for outcomes that record none. Timestamps are the decision's time
     * ({@code now} only if it has none).
     */
    static Optional<Event> toEvent(RoutingDecision decision, String nodeName, Instant now) {
        Kind kind = kind(decision.getOutcome());
        if (kind == null) {
            return Optional.empty();
        }
        Instant at = decision.getDecidedAt() != null ? decision.getDecidedAt() : now;
        var pod = decision.getPod();
        return Optional.of(new EventBuilder()
                .withNewMetadata()
                .withName(eventName(pod.getName(), decision.getDecisionId()))
                .withNamespace(pod.getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("Pod").withApiVersion("v1")
                .withName(pod.getName()).withNamespace(pod.getNamespace()).withUid(pod.getUid())
                .endInvolvedObject()
                .withReason(kind.reason())
                .withType(kind.warning() ? "Warning" : "Normal")
                .withMessage(truncate(message(decision), MAX_MESSAGE_BYTES))
                .withNewSource().withComponent(COMPONENT).withHost(nodeName).endSource()
                .withFirstTimestamp(KubeTime.time(at))
                .withLastTimestamp(KubeTime.time(at))
                .withEventTime(new MicroTime(KubeTime.microTime(at)))
                .withCount(1)
                .withAction(kind.action())
                .withReportingComponent(COMPONENT)
                .withReportingInstance(nodeName.length() > MAX_REPORTING_INSTANCE
                        ? nodeName.substring(0, MAX_REPORTING_INSTANCE) : nodeName)
                .build());
    }

    private record Kind(String reason, String action, boolean warning) {
    }

    private static Kind kind(DecisionOutcome outcome) {
        return switch (outcome) {
            case ASSIGNED -> new Kind(ROUTED, "Route", false);
            case QUEUED -> new Kind(QUEUED, "Queue", false);
            case REJECTED -> new Kind(REJECTED, "Reject", true);
            case CANCELLED -> new Kind(CANCELLED, "Cancel", false);
            case REROUTED -> new Kind(REROUTED, "Reroute", false);
            default -> null; // DUPLICATE: the first decision said it all; UNKNOWN: nothing to say
        };
    }

    /** A readable sentence (or two): what happened, why, and why the other pools lost. */
    static String message(RoutingDecision d) {
        String where = where(d);
        String why = d.getReason() == null || d.getReason().isBlank() ? null : d.getReason().strip();
        StringBuilder text = new StringBuilder();
        switch (d.getOutcome()) {
            case ASSIGNED -> text.append("Routed to ").append(where != null ? where : "a pool");
            case QUEUED -> text.append("Waiting for capacity").append(where != null ? " in " + where : "");
            case REJECTED -> text.append("No pool can run this pod");
            case CANCELLED -> text.append("Cancelled").append(where != null ? " at " + where : "");
            case REROUTED -> text.append("Re-routing").append(where != null ? " away from " + where : "");
            default -> text.append(d.getOutcome().name());
        }
        text.append(" (attempt ").append(d.getAttempt()).append(")");
        text.append(why != null ? ": " + sentence(why) : ".");
        List<String> losers = losers(d);
        if (!losers.isEmpty()) {
            text.append(d.getOutcome() == DecisionOutcome.ASSIGNED ? " Not chosen: " : " Pools considered: ")
                    .append(String.join("; ", losers)).append('.');
        }
        return text.toString();
    }

    private static String where(RoutingDecision d) {
        if (d.getPoolId() == null && d.getSite() == null) {
            return null;
        }
        if (d.getPoolId() == null) {
            return "site " + d.getSite();
        }
        return "pool " + d.getPoolId() + (d.getSite() != null ? " at site " + d.getSite() : "");
    }

    /** Every candidate other than the chosen pool that has reasons: {@code pool@site (reason, reason)}. */
    private static List<String> losers(RoutingDecision d) {
        List<String> losers = new ArrayList<>();
        for (Candidate c : d.getCandidates()) {
            boolean chosen = d.getOutcome() == DecisionOutcome.ASSIGNED && c.getPoolId().equals(d.getPoolId());
            if (chosen || c.getReasons().isEmpty()) {
                continue;
            }
            losers.add(c.getPoolId() + "@" + c.getSite() + " (" + String.join(", ", c.getReasons()) + ")");
        }
        return losers;
    }

    private static String sentence(String s) {
        return s.endsWith(".") || s.endsWith("!") || s.endsWith("?") ? s : s + ".";
    }

    /** Cuts {@code text} to at most {@code maxBytes} UTF-8 bytes, on a code point boundary, marking the cut. */
    static String truncate(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        String ellipsis = " …";
        int budget = maxBytes - ellipsis.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > budget) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += size;
            i += Character.charCount(cp);
        }
        return out.append(ellipsis).toString();
    }

    /**
     * {@code <pod>.<first 16 hex digits of SHA-256(decisionId)>}: the same decision always names the same event; the
     * pod part is shortened so the whole stays a valid DNS subdomain.
     */
    static String eventName(String podName, String decisionId) {
        String hash;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(decisionId.getBytes(StandardCharsets.UTF_8));
            hash = HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        String prefix = podName.length() > MAX_NAME - hash.length() - 1
                ? podName.substring(0, MAX_NAME - hash.length() - 1) : podName;
        while (prefix.endsWith("-") || prefix.endsWith(".")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix + "." + hash;
    }
}
