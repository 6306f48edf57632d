package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Status conditions, keyed by type, as every Kubernetes controller writes them. */
public final class Conditions {

    private Conditions() {
    }

    /**
     * Sets a condition in {@code status.conditions}; its {@code lastTransitionTime} changes only when the status does.
     *
     * @return whether anything changed
     */
    public static boolean set(ObjectNode object, String type, String status, String reason, String message,
                              Instant now) {
        ObjectNode statusNode = Json.with(object, "status");
        JsonNode existing = statusNode.get("conditions");
        ArrayNode conditions = existing instanceof ArrayNode a ? a : statusNode.putArray("conditions");
        ObjectNode condition = null;
        for (JsonNode c : conditions) {
            if (c instanceof ObjectNode o && Json.text(o, "type").equals(type)) {
                condition = o;
            }
        }
        if (condition != null && Json.text(condition, "status").equals(status)
                && Json.text(condition, "reason").equals(nullToEmpty(reason))
                && Json.text(condition, "message").equals(nullToEmpty(message))) {
            return false;
        }
        if (condition == null) {
            condition = conditions.addObject();
            condition.put("type", type);
        }
        if (!Json.text(condition, "status").equals(status) || !condition.has("lastTransitionTime")) {
            condition.put("lastTransitionTime", Json.time(now));
        }
        condition.put("status", status);
        condition.putNull("lastProbeTime");
        if (reason == null || reason.isEmpty()) {
            condition.remove("reason");
        } else {
            condition.put("reason", reason);
        }
        if (message == null || message.isEmpty()) {
            condition.remove("message");
        } else {
            condition.put("message", message);
        }
        return true;
    }

    /** The status of a condition, or {@code ""} when it is not there. */
    public static String status(JsonNode object, String type) {
        JsonNode conditions = Json.at(object, "status.conditions");
        if (conditions != null && conditions.isArray()) {
            for (JsonNode c : conditions) {
                if (Json.text(c, "type").equals(type)) {
                    return Json.text(c, "status");
                }
            }
        }
        return "";
    }

    /** The condition of a type, or null. */
    public static JsonNode get(JsonNode object, String type) {
        JsonNode conditions = Json.at(object, "status.conditions");
        if (conditions != null && conditions.isArray()) {
            for (JsonNode c : conditions) {
                if (Json.text(c, "type").equals(type)) {
                    return c;
                }
            }
        }
        return null;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
