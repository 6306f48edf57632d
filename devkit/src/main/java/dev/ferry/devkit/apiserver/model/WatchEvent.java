package dev.ferry.devkit.apiserver.model;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event of a watch stream, as it goes on the wire: {@code ADDED}, {@code MODIFIED}, {@code DELETED},
 * {@code BOOKMARK} or {@code ERROR} (whose object is a {@code Status}).
 */
public record WatchEvent(String type, ObjectNode object) {

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("type", type);
        json.set("object", object);
        return json;
    }
}
