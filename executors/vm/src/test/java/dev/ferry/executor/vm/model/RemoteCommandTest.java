package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.model.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RemoteCommandTest {

    @Test
    void everyArgumentIsOneQuotedWord() {
        assertThat(RemoteCommand.of(List.of("condor_q", "-af:j", "ClusterId"))).isEqualTo("'condor_q' '-af:j' 'ClusterId'");
        assertThat(RemoteCommand.of(List.of("echo", "it's"))).isEqualTo("'echo' 'it'\\''s'");
    }

    @Test
    void hostileArgumentsComeBackAsTheSameWords() {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\n"));
        argv.addAll(Hostile.strings("/tmp/pwned"));
        String line = RemoteCommand.of(argv);
        assertThat(Shell.words(line).words()).containsExactlyElementsOf(argv);
    }

    @Test
    void environmentGoesInFrontThroughEnv() {
        Map<String, String> env = new TreeMap<>(Map.of("CONDOR_CONFIG", "/etc/condor/condor_config", "X", "$(evil)"));
        assertThat(RemoteCommand.of(env, List.of("condor_q")))
                .isEqualTo("'env' 'CONDOR_CONFIG=/etc/condor/condor_config' 'X=$(evil)' 'condor_q'");
        assertThatThrownBy(() -> RemoteCommand.of(Map.of("BAD-NAME", "x"), List.of("true"))).hasMessageContaining("not a shell identifier");
        assertThatThrownBy(() -> RemoteCommand.of(Map.of("A", "x"), List.of("B=c"))).hasMessageContaining("contains '='");
        assertThatThrownBy(() -> RemoteCommand.of(List.of())).hasMessageContaining("empty command");
        assertThatThrownBy(() -> RemoteCommand.of(List.of("a\0b"))).hasMessageContaining("NUL");
    }
}
