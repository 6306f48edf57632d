package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A label selector in Kubernetes' string syntax: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a in (x,y)},
 * {@code a notin (x)}, {@code a}, {@code !a}, {@code a>1}, {@code a<1}, joined by commas (all must hold).
 */
public final class LabelSelector {

    /** One requirement of a selector. */
    public record Requirement(String key, Operator operator, Set<String> values) {

        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
                case GREATER_THAN, LESS_THAN -> value != null && compare(value);
            };
        }

        private boolean compare(String value) {
            try {
                long actual = Long.parseLong(value);
                long bound = Long.parseLong(values.iterator().next());
                return operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    /** The operators of a requirement. */
    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN }

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    /**
     * Parses the {@code labelSelector} query parameter.
     *
     * @throws ApiException 400 naming the requirement that does not parse
     */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String term : splitTerms(text)) {
            requirements.add(parseTerm(term.trim(), text));
        }
        return new LabelSelector(requirements);
    }

    /** Splits on commas outside parentheses. */
    private static List<String> splitTerms(String text) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(text.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(text.substring(start));
        return terms;
    }

    private static Requirement parseTerm(String term, String whole) {
        if (term.isEmpty()) {
            throw invalid(whole, "found an empty requirement");
        }
        if (term.startsWith("!")) {
            String key = key(term.substring(1).trim(), whole);
            return new Requirement(key, Operator.DOES_NOT_EXIST, Set.of());
        }
        String[] setOps = {" notin ", " in "};
        for (String op : setOps) {
            int at = term.indexOf(op);
            if (at > 0) {
                String key = key(term.substring(0, at).trim(), whole);
                String rest = term.substring(at + op.length()).trim();
                if (!rest.startsWith("(") || !rest.endsWith(")")) {
                    throw invalid(whole, "'" + op.trim() + "' needs a parenthesised list of values, e.g. "
                            + key + op + "(a,b)");
                }
                Set<String> values = new LinkedHashSet<>();
                for (String value : rest.substring(1, rest.length() - 1).split(",", -1)) {
                    values.add(value(value.trim(), whole));
                }
                return new Requirement(key, op.trim().equals("in") ? Operator.IN : Operator.NOT_IN, values);
            }
        }
        for (String op : new String[] {"!=", "==", "=", ">", "<"}) {
            int at = term.indexOf(op);
            if (at >= 0) {
                String key = key(term.substring(0, at).trim(), whole);
                String value = term.substring(at + op.length()).trim();
                Operator operator = switch (op) {
                    case "!=" -> Operator.NOT_EQUALS;
                    case ">" -> Operator.GREATER_THAN;
                    case "<" -> Operator.LESS_THAN;
                    default -> Operator.EQUALS;
                };
                if (operator == Operator.GREATER_THAN || operator == Operator.LESS_THAN) {
                    try {
                        Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw invalid(whole, "for '" + op + "', the value must be an integer, not '" + value + "'");
                    }
                } else {
                    value(value, whole);
                }
                return new Requirement(key, operator, Set.of(value));
            }
        }
        return new Requirement(key(term, whole), Operator.EXISTS, Set.of());
    }

    private static String key(String key, String whole) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || !Validation.isDnsSubdomain(prefix)) {
                throw invalid(whole, "invalid label key \"" + key + "\": the prefix must be a DNS subdomain");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            throw invalid(whole, "invalid label key \"" + key + "\": name part must consist of alphanumeric "
                    + "characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
        return key;
    }

    private static String value(String value, String whole) {
        if (value.length() > 63 || !VALUE.matcher(value).matches()) {
            throw invalid(whole, "invalid label value: \"" + value + "\": a valid label must be an empty string "
                    + "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                    + "alphanumeric character");
        }
        return value;
    }

    private static ApiException invalid(String selector, String why) {
        return ApiException.badRequest("unable to parse requirement: labelSelector \"" + selector + "\": " + why);
    }

    /** Whether labels satisfy every requirement. */
    public boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Whether an object's {@code metadata.labels} satisfy every requirement. */
    public boolean matches(JsonNode object) {
        return requirements.isEmpty() || matches(labels(object));
    }

    public static Map<String, String> labels(JsonNode object) {
        JsonNode labels = Json.at(object, "metadata.labels");
        return stringMap(labels);
    }

    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new java.util.HashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }
}
