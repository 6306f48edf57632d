package dev.ferry.devkit.apiserver;

import com.sun.net.httpserver.HttpExchange;
import dev.ferry.devkit.apiserver.model.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One HTTP request, taken apart: method, path segments, query parameters, headers, body. */
final class ApiRequest {

    /** kube-apiserver's limit on a request body. */
    static final int MAX_BODY = 3 * 1024 * 1024;

    final HttpExchange exchange;
    final String method;
    final String path;
    final List<String> segments;
    final Map<String, String> query;

    ApiRequest(HttpExchange exchange) {
        this.exchange = exchange;
        this.method = exchange.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
        this.path = exchange.getRequestURI().getRawPath();
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        this.segments = Collections.unmodifiableList(parts);
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(key, value);
        }
        return query;
    }

    String param(String name) {
        return query.get(name);
    }

    boolean flag(String name) {
        String value = query.get(name);
        return value != null && (value.equals("true") || value.equals("1") || value.isEmpty());
    }

    Long longParam(String name) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter " + name + "=" + value + " is not an integer");
        }
    }

    boolean dryRun() {
        String value = query.get("dryRun");
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (!value.equals("All")) {
            throw ApiException.badRequest("dryRun=" + value + " is not supported: the only value is All");
        }
        return true;
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    String contentType() {
        return Objects.requireNonNullElse(header("Content-Type"), "");
    }

    /** The media type of the body, without parameters, lower case. */
    String mediaType() {
        return contentType().split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    boolean wantsTable() {
        String accept = header("Accept");
        return accept != null && accept.contains("as=Table");
    }

    byte[] body() {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new ApiException(413, "RequestEntityTooLarge", "the request body is larger than "
                        + MAX_BODY + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        String raw = exchange.getRequestURI().getRawQuery();
        return method + " " + path + (raw == null ? "" : "?" + raw);
    }
}
