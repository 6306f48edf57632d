package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Jackson trees as the one representation of every object, and the few helpers all kinds share. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final YAMLMapper YAML = new YAMLMapper();
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Json() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Parses a request body. YAML is accepted when the content type says so, as kube-apiserver does.
     *
     * @throws ApiException 400 when the body is not one JSON (or YAML) object
     */
    public static ObjectNode parseObject(byte[] body, boolean yaml) {
        JsonNode node;
        try {
            node = yaml ? YAML.readTree(body) : MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw ApiException.badRequest("the request body is not valid " + (yaml ? "YAML" : "JSON") + ": "
                    + detail);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw ApiException.badRequest("the request body is empty; send a JSON object");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object, not " + node.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT));
        }
        return (ObjectNode) node;
    }

    /** Any JSON value (for patches, which may be arrays). */
    public static JsonNode parse(byte[] body, boolean yaml, String what) {
        try {
            JsonNode node = yaml ? YAML.readTree(body) : MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the " + what + " is empty");
            }
            return node;
        } catch (java.io.IOException e) {
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw ApiException.badRequest("the " + what + " is not valid " + (yaml ? "YAML" : "JSON") + ": " + detail);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** The text at a dotted path ({@code spec.nodeName}), or {@code ""} when absent; numbers and booleans as text. */
    public static String text(JsonNode node, String dottedPath) {
        JsonNode at = at(node, dottedPath);
        if (at == null || at.isNull() || at.isMissingNode() || at.isContainerNode()) {
            return "";
        }
        return at.asText();
    }

    public static JsonNode at(JsonNode node, String dottedPath) {
        JsonNode current = node;
        for (String part : dottedPath.split("\\.")) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(part);
        }
        return current;
    }

    /** The object at {@code field}, created when missing (or when it is not an object). */
    public static ObjectNode with(ObjectNode node, String field) {
        JsonNode child = node.get(field);
        if (child instanceof ObjectNode object) {
            return object;
        }
        return node.putObject(field);
    }

    public static ObjectNode metadata(ObjectNode object) {
        return with(object, "metadata");
    }

    public static String name(JsonNode object) {
        return text(object, "metadata.name");
    }

    public static String namespace(JsonNode object) {
        return text(object, "metadata.namespace");
    }

    /** RFC 3339 with second precision, as Kubernetes writes {@code metav1.Time}. */
    public static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** RFC 3339 with microseconds, as Kubernetes writes {@code metav1.MicroTime}. */
    public static String microTime(Instant instant) {
        return MICRO_TIME.format(instant);
    }

    public static Instant parseTime(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
