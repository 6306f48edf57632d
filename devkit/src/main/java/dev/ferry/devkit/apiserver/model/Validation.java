package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.devkit.apiserver.model.ApiException.Cause;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The object validation a real API server does that matters here: names, labels, and the shape of pods. */
public final class Validation {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    static final String DNS_LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case alphanumeric "
            + "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or "
            + "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    static final String DNS_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private Validation() {
    }

    public static boolean isDnsLabel(String value) {
        return value.length() <= 63 && DNS_LABEL.matcher(value).matches();
    }

    public static boolean isDnsSubdomain(String value) {
        return value.length() <= 253 && DNS_SUBDOMAIN.matcher(value).matches();
    }

    /** Problems with a name under a rule, as causes of an {@code Invalid} answer; empty when it is fine. */
    public static List<Cause> name(String field, String name, ResourceType.NameRule rule) {
        List<Cause> causes = new ArrayList<>();
        switch (rule) {
            case DNS_LABEL -> {
                if (name.length() > 63) {
                    causes.add(invalidValue(field, name, "must be no more than 63 characters"));
                } else if (!DNS_LABEL.matcher(name).matches()) {
                    causes.add(invalidValue(field, name, DNS_LABEL_MESSAGE));
                }
            }
            case DNS_SUBDOMAIN -> {
                if (name.length() > 253) {
                    causes.add(invalidValue(field, name, "must be no more than 253 characters"));
                } else if (!DNS_SUBDOMAIN.matcher(name).matches()) {
                    causes.add(invalidValue(field, name, DNS_SUBDOMAIN_MESSAGE));
                }
            }
            case PATH_SEGMENT -> {
                if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("%")) {
                    causes.add(invalidValue(field, name, "may not be '.' or '..' and may not contain '/' or '%'"));
                }
            }
        }
        return causes;
    }

    /** Checks {@code metadata}: name, labels, annotations' keys. */
    public static List<Cause> metadata(JsonNode object, ResourceType type) {
        List<Cause> causes = new ArrayList<>();
        String name = Json.name(object);
        if (name.isEmpty()) {
            causes.add(new Cause("FieldValueRequired", "Required value: name or generateName is required",
                    "metadata.name"));
        } else {
            causes.addAll(name("metadata.name", name, type.nameRule()));
        }
        JsonNode labels = Json.at(object, "metadata.labels");
        if (labels != null && !labels.isNull()) {
            if (!labels.isObject()) {
                causes.add(new Cause("FieldValueInvalid", "Invalid value: labels must be a map of strings",
                        "metadata.labels"));
            } else {
                for (Map.Entry<String, JsonNode> label : labels.properties()) {
                    causes.addAll(qualifiedName("metadata.labels", label.getKey()));
                    String value = label.getValue().asText();
                    if (!label.getValue().isTextual() || value.length() > 63
                            || !LABEL_VALUE.matcher(value).matches()) {
                        causes.add(invalidValue("metadata.labels", value, "a valid label must be an empty string "
                                + "or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                                + "with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"));
                    }
                }
            }
        }
        JsonNode annotations = Json.at(object, "metadata.annotations");
        if (annotations != null && annotations.isObject()) {
            for (Map.Entry<String, JsonNode> annotation : annotations.properties()) {
                causes.addAll(qualifiedName("metadata.annotations", annotation.getKey()));
                if (!annotation.getValue().isTextual()) {
                    causes.add(invalidValue("metadata.annotations", annotation.getKey(),
                            "annotation values must be strings"));
                }
            }
        }
        return causes;
    }

    private static List<Cause> qualifiedName(String field, String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (!isDnsSubdomain(prefix)) {
                return List.of(invalidValue(field, key, "prefix part " + DNS_SUBDOMAIN_MESSAGE));
            }
        }
        if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return List.of(invalidValue(field, key, "name part must consist of alphanumeric characters, '-', '_' "
                    + "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
                    + "'my.name',  or '123-abc', regex used for validation is "
                    + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
        }
        return List.of();
    }

    /** The shape of a pod's spec: at least one container, each with a unique DNS-label name and an image. */
    public static List<Cause> podSpec(JsonNode pod) {
        List<Cause> causes = new ArrayList<>();
        JsonNode spec = pod.get("spec");
        if (spec == null || !spec.isObject()) {
            causes.add(new Cause("FieldValueRequired", "Required value", "spec"));
            return causes;
        }
        JsonNode containers = spec.get("containers");
        if (containers == null || !containers.isArray() || containers.isEmpty()) {
            causes.add(new Cause("FieldValueRequired", "Required value", "spec.containers"));
        }
        Set<String> names = new HashSet<>();
        for (String list : new String[] {"initContainers", "containers"}) {
            JsonNode items = spec.get(list);
            if (items == null || !items.isArray()) {
                continue;
            }
            for (int i = 0; i < items.size(); i++) {
                String field = "spec." + list + "[" + i + "]";
                JsonNode container = items.get(i);
                String name = Json.text(container, "name");
                if (name.isEmpty()) {
                    causes.add(new Cause("FieldValueRequired", "Required value", field + ".name"));
                } else if (!isDnsLabel(name)) {
                    causes.add(invalidValue(field + ".name", name, DNS_LABEL_MESSAGE));
                } else if (!names.add(name)) {
                    causes.add(new Cause("FieldValueDuplicate", "Duplicate value: \"" + name + "\"",
                            field + ".name"));
                }
                if (Json.text(container, "image").isBlank()) {
                    causes.add(new Cause("FieldValueRequired", "Required value", field + ".image"));
                }
            }
        }
        return causes;
    }

    static Cause invalidValue(String field, String value, String why) {
        return new Cause("FieldValueInvalid", "Invalid value: \"" + value + "\": " + why, field);
    }
}
