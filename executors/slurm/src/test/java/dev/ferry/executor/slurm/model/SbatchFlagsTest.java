package dev.ferry.executor.slurm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.slurm.SlurmSettings;
import dev.ferry.executor.spi.BackendException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SbatchFlagsTest {
    static final List<String> ALLOWED = SlurmSettings.DEFAULT_ALLOWED_FLAGS;

    @Test
    void longShortAndSpacedFormsBecomeOneArgumentEach() throws Exception {
        assertThat(SbatchFlags.parse("--gres=gpu:2 --time 01:00:00 -p gpu -N2 --ntasks-per-node=4 --mail-user=a@b.c --exclusive",
                ALLOWED)).containsExactly("--gres=gpu:2", "--time=01:00:00", "--partition=gpu", "--nodes=2", "--ntasks-per-node=4",
                "--mail-user=a@b.c", "--exclusive");
    }

    @Test
    void quotedValuesKeepTheirCharactersLiterally() throws Exception {
        assertThat(SbatchFlags.parse("--constraint='a&b|c' --account=\"$(id)\" #SBATCH --qos=`x`", ALLOWED))
                .containsExactly("--constraint=a&b|c", "--account=$(id)", "--qos=`x`");
    }

    @Test
    void forbiddenAndMalformedFlagsAreNamed() {
        assertThatThrownBy(() -> SbatchFlags.parse("--mem=1G --wrap='touch /tmp/x'", ALLOWED))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.podReason()).isEqualTo("InvalidFlag");
                    assertThat(e.getMessage()).contains("flag --wrap is not allowed");
                });
        assertThatThrownBy(() -> SbatchFlags.parse("-o /etc/passwd", ALLOWED)).hasMessageContaining("--output is not allowed");
        assertThatThrownBy(() -> SbatchFlags.parse("--mem=1G; touch /tmp/x", ALLOWED)).hasMessageContaining("'touch'");
        assertThatThrownBy(() -> SbatchFlags.parse("--mem='1G", ALLOWED)).hasMessageContaining("unclosed single quote");
        assertThatThrownBy(() -> SbatchFlags.parse("--mem=\"1\nG\"", ALLOWED)).hasMessageContaining("line break");
        assertThatThrownBy(() -> SbatchFlags.parse("-Z 3", ALLOWED)).hasMessageContaining("-Z");
    }

    @Test
    void prefixEntriesMatchFamilies() {
        assertThat(SbatchFlags.isAllowed("--ntasks-per-node", ALLOWED)).isTrue();
        assertThat(SbatchFlags.isAllowed("--mail-type", ALLOWED)).isTrue();
        assertThat(SbatchFlags.isAllowed("--wrap", ALLOWED)).isFalse();
    }
}
