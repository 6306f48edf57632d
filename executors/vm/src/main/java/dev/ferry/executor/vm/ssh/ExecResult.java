package dev.ferry.executor.vm.ssh;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * What a remote command did.
 *
 * @param exitCode its exit status; 255 when the remote side reported none (the command was killed by a signal)
 * @param stdout   its standard output, as bytes
 * @param stderr   its error output, as text
 * @param took     how long the round trip took
 */
public record ExecResult(int exitCode, byte[] stdout, String stderr, Duration took) {
    public ExecResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(took, "took");
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public boolean ok() {
        return exitCode == 0;
    }
}
