package dev.ferry.executor.htcondor.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One ClassAd as {@code condor_q -json}, {@code condor_history -json} and {@code condor_status -json}
 * print it, restricted to the attributes asked for with {@code -attributes}. What HTCondor prints
 * (23.9, and the same since 8.8):
 * <ul>
 *   <li>a JSON array of objects; an empty queue prints <i>nothing at all</i> (not {@code []}), an
 *       empty history prints {@code [} and {@code ]} on two lines;</li>
 *   <li>an attribute the ad does not have is absent; one whose value is the literal {@code undefined}
 *       is {@code null} (the {@code -af} formats print both as {@code undefined});</li>
 *   <li>an attribute whose value is an expression rather than a literal is a string
 *       {@code "/Expr(...)/"} (written {@code "\/Expr(...)\/"}), e.g. {@code RequestMemory}.</li>
 * </ul>
 * The typed getters treat absent, {@code null}, expressions and values of the wrong type alike: empty.
 */
public final class JobAd {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, JsonNode> attributes;

    private JobAd(Map<String, JsonNode> attributes) {
        this.attributes = Collections.unmodifiableMap(attributes);
    }

    /** An ad from attribute values (tests). Values: String, Number, Boolean or null. */
    public static JobAd of(Map<String, ?> values) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        values.forEach((k, v) -> map.put(k, JSON.valueToTree(v)));
        return new JobAd(map);
    }

    /**
     * The ads in a {@code -json} output.
     *
     * @throws IllegalArgumentException when the text is not such an output
     */
    public static List<JobAd> parseAll(String stdout) {
        String text = stdout == null ? "" : stdout.strip();
        if (text.isEmpty()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not the JSON array HTCondor prints with -json: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("not the JSON array HTCondor prints with -json (starts with '"
                    + text.substring(0, Math.min(20, text.length())) + "')");
        }
        List<JobAd> ads = new ArrayList<>();
        for (JsonNode node : root) {
            if (!node.isObject()) {
                continue;
            }
            Map<String, JsonNode> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
            ads.add(new JobAd(map));
        }
        return List.copyOf(ads);
    }

    /** Whether the ad has the attribute at all (even as {@code undefined} or an expression). */
    public boolean has(String name) {
        return attributes.containsKey(name);
    }

    /** Whether the attribute's value is an expression, printed as {@code /Expr(...)/}. */
    public boolean isExpression(String name) {
        JsonNode v = attributes.get(name);
        return v != null && v.isTextual() && isExpressionText(v.asText());
    }

    /** A string literal's value. */
    public Optional<String> string(String name) {
        JsonNode v = attributes.get(name);
        if (v == null || !v.isTextual() || isExpressionText(v.asText())) {
            return Optional.empty();
        }
        return Optional.of(v.asText());
    }

    /** An integer literal's value. */
    public Optional<Long> integer(String name) {
        JsonNode v = attributes.get(name);
        if (v == null || !v.isIntegralNumber()) {
            return Optional.empty();
        }
        return Optional.of(v.asLong());
    }

    /** A real or integer literal's value. */
    public Optional<Double> real(String name) {
        JsonNode v = attributes.get(name);
        if (v == null || !v.isNumber()) {
            return Optional.empty();
        }
        return Optional.of(v.asDouble());
    }

    /** A boolean literal's value. */
    public Optional<Boolean> bool(String name) {
        JsonNode v = attributes.get(name);
        if (v == null || !v.isBoolean()) {
            return Optional.empty();
        }
        return Optional.of(v.asBoolean());
    }

    /** An epoch-seconds timestamp; 0 (HTCondor's "never") is empty. */
    public Optional<Instant> time(String name) {
        return integer(name).filter(t -> t > 0).map(Instant::ofEpochSecond);
    }

    /** {@code ClusterId.ProcId}, HTCondor's job id, if both are there. */
    public Optional<String> jobId() {
        Optional<Long> cluster = integer("ClusterId");
        Optional<Long> proc = integer("ProcId");
        return cluster.isPresent() && proc.isPresent() ? Optional.of(cluster.get() + "." + proc.get()) : Optional.empty();
    }

    private static boolean isExpressionText(String text) {
        return text.startsWith("/Expr(") && text.endsWith(")/");
    }

    @Override
    public String toString() {
        return "JobAd" + attributes;
    }
}
