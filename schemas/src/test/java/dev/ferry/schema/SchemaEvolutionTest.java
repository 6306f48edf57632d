package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fails the build when the event schemas change incompatibly against the newest released version. */
class SchemaEvolutionTest {
    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("released");

    @Test
    void currentSchemasAreBackwardAndForwardCompatibleWithTheLatestRelease() {
        Path latest = SchemaEvolution.latestRelease(RELEASED).orElseThrow();
        Map<String, Schema> previous = SchemaEvolution.parseDirectory(latest);
        Map<String, Schema> current = SchemaEvolution.parseDirectory(CURRENT);

        assertThat(current).containsKeys(SchemaEvolution.EVENT_TYPES.toArray(String[]::new));
        assertThat(SchemaEvolution.problems(previous, current, SchemaEvolution.EVENT_TYPES))
                .as("schema changes since %s must be compatible both ways", latest)
                .isEmpty();
    }

    @Test
    void generatedClassesAreTheSchemasInSrcMainAvro() {
        Map<String, Schema> current = SchemaEvolution.parseDirectory(CURRENT);
        // the generated classes carry avro.java.string properties; the parsing form ignores them
        assertThat(SchemaNormalization.toParsingForm(dev.ferry.events.PodIntent.getClassSchema()))
                .isEqualTo(SchemaNormalization.toParsingForm(current.get("dev.ferry.events.PodIntent")));
        assertThat(SchemaNormalization.toParsingForm(dev.ferry.events.DeadLetter.getClassSchema()))
                .isEqualTo(SchemaNormalization.toParsingForm(current.get("dev.ferry.events.DeadLetter")));
    }

    @Test
    void aRequiredFieldAndATypeChangeAreCaught(@TempDir Path tmp) throws IOException {
        Map<String, Schema> changed = currentWith(tmp, "PodIntent.avsc", "evolution/PodIntent-required-field.avsc");

        List<String> problems = SchemaEvolution.problems(SchemaEvolution.parseDirectory(latestRelease()), changed,
                SchemaEvolution.EVENT_TYPES);

        assertThat(problems).anySatisfy(p -> assertThat(p).contains("PodIntent").contains("backward").contains("tenant"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("PodIntent").contains("at field generation"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("JobCommand").contains("at field intent"));
    }

    @Test
    void aRemovedEnumSymbolIsCaught(@TempDir Path tmp) throws IOException {
        Map<String, Schema> changed = currentWith(tmp, "LogChunk.avsc", "evolution/LogChunk-symbol-removed.avsc");

        List<String> problems = SchemaEvolution.problems(SchemaEvolution.parseDirectory(latestRelease()), changed,
                SchemaEvolution.EVENT_TYPES);

        assertThat(problems).anySatisfy(p -> assertThat(p).contains("LogChunk").contains("STDERR"));
    }

    @Test
    void anOptionalFieldWithADefaultIsAllowed(@TempDir Path tmp) throws IOException {
        Map<String, Schema> changed = currentWith(tmp, "common/PodRef.avsc", "evolution/PodRef-optional-field.avsc");

        assertThat(changed.get("dev.ferry.events.PodIntent").getField("pod").schema().getField("cluster")).isNotNull();
        assertThat(SchemaEvolution.problems(SchemaEvolution.parseDirectory(latestRelease()), changed,
                SchemaEvolution.EVENT_TYPES)).isEmpty();
    }

    @Test
    void aRemovedEventTypeIsCaught() {
        Map<String, Schema> current = new java.util.HashMap<>(SchemaEvolution.parseDirectory(CURRENT));
        current.remove("dev.ferry.events.LogChunk");

        assertThat(SchemaEvolution.problems(SchemaEvolution.parseDirectory(latestRelease()), current,
                SchemaEvolution.EVENT_TYPES)).containsExactly("dev.ferry.events.LogChunk: removed, but released versions still write it");
    }

    private static Path latestRelease() {
        return SchemaEvolution.latestRelease(RELEASED).orElseThrow();
    }

    /** A copy of the current schemas with one file replaced by a fixture. */
    private static Map<String, Schema> currentWith(Path tmp, String file, String fixture) throws IOException {
        try (Stream<Path> files = Files.walk(CURRENT)) {
            for (Path source : files.filter(Files::isRegularFile).toList()) {
                Path target = tmp.resolve(CURRENT.relativize(source).toString());
                Files.createDirectories(target.getParent());
                Files.copy(source, target);
            }
        }
        try (var in = SchemaEvolutionTest.class.getClassLoader().getResourceAsStream(fixture)) {
            Files.write(tmp.resolve(file), in.readAllBytes());
        }
        return SchemaEvolution.parseDirectory(tmp);
    }
}
