package dev.ferry.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Shell#quote} against the real bash: each hostile string comes back verbatim and runs nothing. */
class ShellBashIT {

    @Test
    void bashPrintsQuotedWordsVerbatimAndRunsNothing(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("pwned");
        List<String> hostile = List.of("$(touch " + marker + ")", "`touch " + marker + "`", "; touch " + marker, "' ; touch " + marker + " ; '",
                "a\nb\n#SBATCH --wrap=x", "\\$HOME \"${PATH}\" * ? ~", "\u00fcnicode\ttab", "");
        StringBuilder script = new StringBuilder("printf '%s\\0'");
        hostile.forEach(h -> script.append(' ').append(Shell.quote(h)));
        Process p = new ProcessBuilder("bash", "-c", script.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();

        String expected = String.join("\0", hostile) + "\0";
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(Files.exists(marker)).isFalse();
    }
}
