package dev.ferry.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaParser;

/**
 * Checks that the event schemas evolve safely: every event type must stay readable by the
 * previous release's code (forward) and must read the previous release's data (backward).
 * Released versions live in {@code schemas/released/vN/}.
 */
public final class SchemaEvolution {

    /** The schemas that are written to topics; the shared types are checked through them. */
    public static final List<String> EVENT_TYPES = List.of(
            "dev.ferry.events.PodIntent",
            "dev.ferry.events.PoolAdvert",
            "dev.ferry.events.JobCommand",
            "dev.ferry.events.PodStatusEvent",
            "dev.ferry.events.RoutingDecision",
            "dev.ferry.events.LogChunk",
            "dev.ferry.events.DeadLetter");

    private SchemaEvolution() {
    }

    /** Parses every {@code .avsc} under {@code dir} (files may refer to each other in any order); named types by full name. */
    public static Map<String, Schema> parseDirectory(Path dir) {
        SchemaParser parser = new SchemaParser();
        List<SchemaParser.ParseResult> results = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
                results.add(parser.parse(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schemas under " + dir, e);
        }
        Map<String, Schema> byName = new LinkedHashMap<>();
        for (SchemaParser.ParseResult result : results) {
            Schema schema = parser.resolve(result);
            byName.put(schema.getFullName(), schema);
        }
        return byName;
    }

    /** The newest released version directory ({@code vN} with the largest N) under {@code releasedRoot}. */
    public static Optional<Path> latestRelease(Path releasedRoot) {
        try (Stream<Path> dirs = Files.list(releasedRoot)) {
            return dirs.filter(Files::isDirectory)
                    .filter(d -> d.getFileName().toString().matches("v\\d+"))
                    .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(1))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list released schemas under " + releasedRoot, e);
        }
    }

    /**
     * Every way {@code current} breaks compatibility with {@code previous} for the given event
     * types; empty when the change is safe in both directions.
     */
    public static List<String> problems(Map<String, Schema> previous, Map<String, Schema> current, Collection<String> eventTypes) {
        List<String> problems = new ArrayList<>();
        for (String type : eventTypes) {
            Schema before = previous.get(type);
            Schema now = current.get(type);
            if (before == null) {
                continue; // a new event type has nothing to be compatible with
            }
            if (now == null) {
                problems.add(type + ": removed, but released versions still write it");
                continue;
            }
            check(type, "backward (new readers, old data)", now, SchemaCompatibility.checkReaderWriterCompatibility(now, before), problems);
            check(type, "forward (old readers, new data)", before, SchemaCompatibility.checkReaderWriterCompatibility(before, now), problems);
        }
        return problems;
    }

    private static void check(String type, String direction, Schema reader, SchemaPairCompatibility result, List<String> problems) {
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            result.getResult().getIncompatibilities().forEach(i -> problems.add(type + ": not " + direction + ": "
                    + i.getType() + " at field " + fieldPath(reader, i.getLocation()) + " (" + i.getMessage() + ")"));
        }
    }

    /** Turns Avro's location ({@code /fields/7/type/1/fields/0/type}) into field names ({@code spec.containers}). */
    static String fieldPath(Schema schema, String location) {
        String[] tokens = location.split("/");
        StringBuilder path = new StringBuilder();
        Schema current = schema;
        for (int i = 1; i < tokens.length && current != null; i++) {
            switch (tokens[i]) {
                case "fields" -> {
                    if (i + 1 >= tokens.length || current.getType() != Schema.Type.RECORD) {
                        return path.isEmpty() ? location : path.toString();
                    }
                    Schema.Field field = current.getFields().get(Integer.parseInt(tokens[++i]));
                    path.append(path.isEmpty() ? "" : ".").append(field.name());
                    current = field.schema();
                }
                case "type", "name", "symbols", "size" -> { }
                case "items" -> current = current.getType() == Schema.Type.ARRAY ? current.getElementType() : null;
                case "values" -> current = current.getType() == Schema.Type.MAP ? current.getValueType() : null;
                default -> {
                    if (current.getType() == Schema.Type.UNION && tokens[i].matches("\\d+")) {
                        int branch = Integer.parseInt(tokens[i]);
                        current = branch < current.getTypes().size() ? current.getTypes().get(branch) : null;
                    }
                }
            }
        }
        return path.isEmpty() ? location : path.toString();
    }
}
