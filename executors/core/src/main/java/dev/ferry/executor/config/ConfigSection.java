package dev.ferry.executor.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.schema.ConfigException;
import dev.ferry.schema.ConfigValues;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A part of {@code site.yaml} with its dotted path ({@code backend.slurm}), bound into a typed
 * record. Every error is a {@link ConfigException} that names the full key
 * ({@code backend.slurm.allowedFlags[2]: ...}): unknown keys, wrong types, and what a record's
 * constructor rejects (records throw {@code ConfigException} with their own relative key, and the
 * section puts its path in front).
 *
 * <p>Durations are written as in the rest of Ferry: {@code 500ms}, {@code 30s}, {@code 10m},
 * {@code 2h}, {@code 7d} or ISO-8601 ({@code PT10M}).
 */
public final class ConfigSection {

    private static final ObjectMapper YAML = mapper();

    private final String path;
    private final JsonNode node;

    public ConfigSection(String path, JsonNode node) {
        this.path = Objects.requireNonNull(path, "path");
        this.node = node == null ? MissingNode.getInstance() : node;
    }

    /** Parses YAML text as the root section. */
    public static ConfigSection parseYaml(String yaml) {
        try {
            JsonNode root = YAML.readTree(yaml);
            return new ConfigSection("", root);
        } catch (IOException e) {
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null
                    ? " at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() : "";
            throw new ConfigException("(file)", "is not valid YAML" + where + ": " + firstLine(e.getMessage()));
        }
    }

    /** The dotted path of this section; empty for the root. */
    public String path() {
        return path;
    }

    /** Whether the section is absent (or null) in the file. */
    public boolean isMissing() {
        return node.isMissingNode() || node.isNull();
    }

    /** The sub-section at {@code key} (absent when missing). */
    public ConfigSection child(String key) {
        return new ConfigSection(key(key), node.path(key));
    }

    /** The full dotted key of {@code relative} inside this section. */
    public String key(String relative) {
        if (relative == null || relative.isEmpty()) {
            return path;
        }
        return path.isEmpty() ? relative : path + "." + relative;
    }

    /** The text at {@code key}, if present. */
    public java.util.Optional<String> text(String key) {
        JsonNode value = node.path(key);
        return value.isMissingNode() || value.isNull() ? java.util.Optional.empty() : java.util.Optional.of(value.asText());
    }

    /**
     * Binds this section to {@code type}; an absent section binds as an empty one, so a record
     * with defaults for everything needs no section at all.
     */
    public <T> T bind(Class<T> type) {
        JsonNode source = isMissing() ? YAML.createObjectNode() : node;
        checkKeys(source, type, "");
        try {
            return YAML.treeToValue(source, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            String at = jsonPath(e);
            if (cause instanceof ConfigException config) {
                String relative = config.key();
                String full = key(join(at, relative));
                throw new ConfigException(full, config.getMessage().substring(config.key().length() + 2));
            }
            throw new ConfigException(key(at), cause == null ? firstLine(e.getOriginalMessage()) : cause.getMessage());
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(key(jsonPath(e)), "is not a known setting" + (known.isEmpty() ? "" : "; known here: " + known));
        } catch (InvalidFormatException e) {
            throw new ConfigException(key(jsonPath(e)), "must be " + describe(e.getTargetType()) + ", was '" + e.getValue() + "'");
        } catch (MismatchedInputException e) {
            throw new ConfigException(key(jsonPath(e)), "must be " + describe(e.getTargetType()) + " (" + firstLine(e.getOriginalMessage()) + ")");
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException config) {
                throw new ConfigException(key(jsonPath(e)), config.getMessage().substring(config.key().length() + 2));
            }
            throw new ConfigException(key(jsonPath(e)), firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(path.isEmpty() ? "(file)" : path, firstLine(e.getMessage()));
        }
    }

    /**
     * Unknown keys first, before any constructor runs: otherwise a misspelt section shows up as
     * "X is required" for the section it was meant to be instead of naming the misspelling.
     */
    private void checkKeys(JsonNode value, java.lang.reflect.Type type, String at) {
        Class<?> raw = type instanceof Class<?> c ? c
                : type instanceof java.lang.reflect.ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
        if (raw.isRecord() && value.isObject()) {
            Map<String, java.lang.reflect.RecordComponent> components = new java.util.LinkedHashMap<>();
            for (java.lang.reflect.RecordComponent rc : raw.getRecordComponents()) {
                components.put(rc.getName(), rc);
            }
            var names = value.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                java.lang.reflect.RecordComponent rc = components.get(name);
                String here = at.isEmpty() ? name : at + "." + name;
                if (rc == null) {
                    throw new ConfigException(key(here), "is not a known setting; known here: "
                            + components.keySet().stream().sorted().collect(Collectors.joining(", ")));
                }
                checkKeys(value.get(name), rc.getGenericType(), here);
            }
        } else if (java.util.List.class.isAssignableFrom(raw) && value.isArray()
                && type instanceof java.lang.reflect.ParameterizedType p) {
            for (int i = 0; i < value.size(); i++) {
                checkKeys(value.get(i), p.getActualTypeArguments()[0], at + "[" + i + "]");
            }
        }
    }

    /** Parses a Ferry duration; {@code key} names it in the error. */
    public static Duration duration(String key, String raw) {
        return ConfigValues.of(Map.of(key, raw)).duration(key)
                .orElseThrow(() -> new ConfigException(key, "must be a duration such as 500ms, 30s, 10m, 2h or 7d, was empty"));
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return b.startsWith("[") ? a + b : a + "." + b;
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a different type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s, 10m, 2h or 7d";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a mapping of keys to values";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .map(s -> s.toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(", "));
        }
        return "a " + type.getSimpleName() + " section";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static ObjectMapper mapper() {
        SimpleModule durations = new SimpleModule("ferry-durations");
        durations.addDeserializer(Duration.class, new StdScalarDeserializer<>(Duration.class) {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String raw = p.getValueAsString();
                try {
                    return duration("value", raw == null ? "" : raw);
                } catch (ConfigException e) {
                    throw InvalidFormatException.from(p, "not a duration", raw, Duration.class);
                }
            }
        });
        return com.fasterxml.jackson.dataformat.yaml.YAMLMapper.builder(new YAMLFactory())
                .addModule(durations)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
    }
}
