package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChrootCommandRunnerTest {

    static final UnixUser FERRY = new UnixUser("ferry", 2742, 2742, "/home/ferry");

    /** Records what it is asked to run and answers like the program would. */
    static final class Recorder implements CommandRunner {
        final List<List<String>> runs = new ArrayList<>();

        @Override
        public CommandResult run(List<String> argv, Duration timeout) {
            runs.add(argv);
            return new CommandResult(argv, 0, "out", "", Duration.ZERO);
        }

        @Override
        public CommandResult run(List<String> argv) {
            return run(argv, Duration.ofSeconds(1));
        }

        @Override
        public Map<String, Long> invocations() {
            return Map.of("chroot", (long) runs.size());
        }
    }

    @Test
    void commandsRunInTheTreeAsTheUserAsOneArgumentListAndAreCountedByTheirOwnName() throws Exception {
        Recorder delegate = new Recorder();
        ChrootCommandRunner runner = new ChrootCommandRunner(delegate, "/var/cache/ferry/htcondor-chroot", FERRY);
        CommandResult r = runner.run(List.of("condor_q", "-constraint", "FerrySite == \"a\"; rm -rf /"));

        assertThat(delegate.runs).containsExactly(List.of("chroot", "--userspec=2742:2742", "/var/cache/ferry/htcondor-chroot",
                "/usr/bin/env", "HOME=/home/ferry", "USER=ferry", "LOGNAME=ferry", "condor_q", "-constraint", "FerrySite == \"a\"; rm -rf /"));
        assertThat(r.argv()).containsExactly("condor_q", "-constraint", "FerrySite == \"a\"; rm -rf /");
        assertThat(r.stdout()).isEqualTo("out");
        runner.run(List.of("/usr/bin/condor_q"));
        assertThat(runner.invocations()).containsExactly(Map.entry("condor_q", 2L));
        assertThatThrownBy(() -> runner.wrap(List.of("A=B"))).hasMessageContaining("must not contain '='");
    }

    @Test
    void usersAreReadFromThePasswdFile() {
        String passwd = "root:x:0:0:root:/root:/bin/bash\nferry:x:2742:2743::/home/ferry:/bin/sh\n";
        assertThat(UnixUser.find(passwd, "ferry")).contains(new UnixUser("ferry", 2742, 2743, "/home/ferry"));
        assertThat(UnixUser.find(passwd, "nobody")).isEmpty();
    }
}
