package dev.ferry.devkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KafkaBrokerProcessTest {

    @Test
    void relativeClasspathEntriesAreMadeAbsoluteBecauseTheChildRunsElsewhere() {
        String cwd = Path.of("").toAbsolutePath().toString();

        String absolute = KafkaBrokerProcess.absolute("target/classes" + File.pathSeparator + "/opt/lib/kafka.jar");

        assertThat(absolute.split(File.pathSeparator))
                .containsExactly(cwd + File.separator + "target" + File.separator + "classes", "/opt/lib/kafka.jar");
    }
}
