package dev.ferry.executor.htcondor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.htcondor.HtcondorSettings;
import dev.ferry.executor.spi.BackendException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubmitAnnotationTest {

    static final List<String> ALLOWED = HtcondorSettings.DEFAULT_ALLOWED_SUBMIT_COMMANDS;

    @Test
    void allowedCommandsAreReadOnePerLine() throws Exception {
        assertThat(SubmitAnnotation.parse("request_disk = 2GB\r\n\n# note\n  Priority=5\n+ProjectName = \"atlas\"\nMY.ProjectName = \"x\"",
                ALLOWED)).containsExactly(new SubmitAnnotation.Command("request_disk", "2GB"), new SubmitAnnotation.Command("Priority", "5"),
                new SubmitAnnotation.Command("+ProjectName", "\"atlas\""), new SubmitAnnotation.Command("MY.ProjectName", "\"x\""));
        assertThat(SubmitAnnotation.parse("  ", ALLOWED)).isEmpty();
        assertThat(SubmitAnnotation.parse(null, ALLOWED)).isEmpty();
    }

    @Test
    void commandsOffTheListAndFerrysOwnAreRefusedByName() {
        for (String line : List.of("executable = /bin/sh", "Arguments = -c id", "queue", "include : /etc/passwd",
                "include command : id |", "+PodUID = \"other\"", "MY.FerrySite = \"other\"", "+FerryAnything = 1", "getenv = true",
                "transfer_input_files = /etc/shadow", "universe = local", "request_cpus = 64")) {
            assertThatThrownBy(() -> SubmitAnnotation.parse(line, ALLOWED)).as(line)
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.reason()).isEqualTo(BackendException.Reason.REJECTED);
                        assertThat(e.podReason()).isEqualTo("InvalidSubmitCommand");
                        assertThat(e.getMessage()).contains(HtcondorSettings.ANNOTATION);
                    });
        }
        assertThatThrownBy(() -> SubmitAnnotation.parse("accounting_group = x\nexecutable = /bin/sh", ALLOWED))
                .hasMessageContaining("submit command executable is not allowed at this site");
    }

    @Test
    void hostileValuesAreRefusedBeforeTheyReachHtcondor() {
        assertThatThrownBy(() -> SubmitAnnotation.parse("requirements = $ENV(SECRET) == 1", ALLOWED))
                .hasMessageContaining("'$' is not allowed");
        assertThatThrownBy(() -> SubmitAnnotation.parse("rank = $$(Memory)", ALLOWED)).hasMessageContaining("'$' is not allowed");
        assertThatThrownBy(() -> SubmitAnnotation.parse("requirements = true) || (true", ALLOWED))
                .hasMessageContaining("parentheses");
        assertThatThrownBy(() -> SubmitAnnotation.parse("priority = 1 \\", ALLOWED)).hasMessageContaining("backslash");
        assertThatThrownBy(() -> SubmitAnnotation.parse("not a command", ALLOWED)).hasMessageContaining("is not 'name = value'");
        assertThat(SubmitAnnotation.balanced("(a == \")(\") && (b)")).isTrue();
        assertThat(SubmitAnnotation.balanced("a)(")).isFalse();
    }

    @Test
    void theAllowListIsCaseInsensitiveAndTreatsMyDotAsPlus() {
        assertThat(SubmitAnnotation.isAllowed("REQUEST_DISK", ALLOWED)).isTrue();
        assertThat(SubmitAnnotation.isAllowed("my.projectname", ALLOWED)).isTrue();
        assertThat(SubmitAnnotation.isAllowed("+Other", ALLOWED)).isFalse();
        assertThat(SubmitAnnotation.isAllowed("executable", List.of("executable"))).isFalse();
    }
}
