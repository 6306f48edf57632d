package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A failed API request, carried as the Kubernetes {@code Status} object a real API server answers with: an HTTP
 * code, a machine-readable reason ({@code NotFound}, {@code AlreadyExists}, {@code Conflict}, {@code Invalid}, ...)
 * and a message that names what to fix.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** One field-level cause of an {@code Invalid} (422) answer, as in {@code details.causes}. */
    public record Cause(String reason, String message, String field) {
    }

    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String kind;
    private final List<Cause> causes;

    public ApiException(int code, String reason, String message, String name, String group, String kind,
                        List<Cause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.kind = kind;
        this.causes = List.copyOf(causes);
    }

    public ApiException(int code, String reason, String message) {
        this(code, reason, message, null, null, null, List.of());
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.qualifiedPlural() + " \"" + name + "\" not found", name,
                type.group(), type.plural(), List.of());
    }

    public static ApiException pathNotFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource");
    }

    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.qualifiedPlural() + " \"" + name + "\" already exists",
                name, type.group(), type.plural(), List.of());
    }

    public static ApiException conflict(ResourceType type, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedPlural() + " \""
                + name + "\": " + why, name, type.group(), type.plural(), List.of());
    }

    public static ApiException staleResourceVersion(ResourceType type, String name) {
        return conflict(type, name,
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    public static ApiException invalid(ResourceType type, String name, List<Cause> causes) {
        StringBuilder message = new StringBuilder(type.kind()).append(" \"").append(name).append("\" is invalid: ");
        if (causes.size() > 1) {
            message.append('[');
        }
        for (int i = 0; i < causes.size(); i++) {
            if (i > 0) {
                message.append(", ");
            }
            message.append(causes.get(i).field()).append(": ").append(causes.get(i).message());
        }
        if (causes.size() > 1) {
            message.append(']');
        }
        return new ApiException(422, "Invalid", message.toString(), name, type.group(), type.kind(), causes);
    }

    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "UnsupportedMediaType", message);
    }

    public static ApiException methodNotAllowed(String method) {
        return new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                + "resource (" + method + ")");
    }

    public static ApiException gone(String message) {
        return new ApiException(410, "Expired", message);
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public List<Cause> causes() {
        return causes;
    }

    /** The {@code Status} object for this failure, as a real API server writes it. */
    public ObjectNode toStatus() {
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (name != null || kind != null || !causes.isEmpty()) {
            ObjectNode details = status.putObject("details");
            if (name != null) {
                details.put("name", name);
            }
            if (group != null && !group.isEmpty()) {
                details.put("group", group);
            }
            if (kind != null) {
                details.put("kind", kind);
            }
            if (!causes.isEmpty()) {
                ArrayNode list = details.putArray("causes");
                for (Cause cause : causes) {
                    ObjectNode c = list.addObject();
                    c.put("reason", cause.reason()).put("message", cause.message()).put("field", cause.field());
                }
            }
        }
        status.put("code", code);
        return status;
    }
}
