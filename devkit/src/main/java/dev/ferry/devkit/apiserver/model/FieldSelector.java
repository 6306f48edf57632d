package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector: {@code key=value}, {@code key==value}, {@code key!=value}, joined by commas, with {@code \}
 * escaping {@code ,}, {@code =}, {@code !} and {@code \} in values. Which keys a kind supports is part of its
 * {@link ResourceType}; an unsupported key is refused as a real API server refuses it.
 */
public final class FieldSelector {

    /** One term: the field, whether it must equal or differ, and the value. */
    public record Term(String field, boolean equals, String value) {
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());
    /** Field labels that name something else than their path: an event's {@code source} is its component. */
    private static final java.util.Map<String, String> ALIASES = java.util.Map.of("source", "source.component");

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    public List<Term> terms() {
        return terms;
    }

    /**
     * Parses the {@code fieldSelector} query parameter.
     *
     * @throws ApiException 400 when a term has no operator
     */
    public static FieldSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : split(text)) {
            if (raw.isBlank()) {
                continue;
            }
            int at = indexOfOperator(raw);
            if (at < 0) {
                throw ApiException.badRequest("invalid selector: '" + text + "'; can't understand '" + raw
                        + "': a field selector term is key=value, key==value or key!=value");
            }
            String field = raw.substring(0, at).trim();
            boolean notEquals = raw.charAt(at) == '!';
            int valueStart = at + (notEquals || raw.startsWith("==", at) ? 2 : 1);
            terms.add(new Term(field, !notEquals, unescape(raw.substring(valueStart))));
        }
        return new FieldSelector(terms);
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
            } else if (c == ',') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static int indexOfOperator(String term) {
        for (int i = 0; i < term.length(); i++) {
            char c = term.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=' || (c == '!' && i + 1 < term.length() && term.charAt(i + 1) == '=')) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                out.append(value.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Checks every field against what the type supports.
     *
     * @throws ApiException 400 {@code field label not supported: x}, as kube-apiserver answers
     */
    public FieldSelector validateFor(ResourceType type) {
        for (Term term : terms) {
            if (!type.supportsFieldLabel(term.field())) {
                throw ApiException.badRequest("field label not supported: " + term.field() + " (" + type.plural()
                        + " support " + supported(type) + ")");
            }
        }
        return this;
    }

    private static String supported(ResourceType type) {
        List<String> labels = new ArrayList<>(ResourceType.COMMON_FIELD_LABELS);
        labels.addAll(type.fieldLabels());
        labels.sort(null);
        return String.join(", ", labels);
    }

    /** Whether a stored object satisfies every term; a missing field reads as {@code ""}. */
    public boolean matches(JsonNode object) {
        for (Term term : terms) {
            String actual = Json.text(object, ALIASES.getOrDefault(term.field(), term.field()));
            if (actual.equals(term.value()) != term.equals()) {
                return false;
            }
        }
        return true;
    }

    /** The value this selector requires for a field, when it has an equality term for it. */
    public String required(String field) {
        for (Term term : terms) {
            if (term.equals() && term.field().equals(field)) {
                return term.value();
            }
        }
        return null;
    }
}
