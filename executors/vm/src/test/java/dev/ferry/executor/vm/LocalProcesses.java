package dev.ferry.executor.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the tests of the local transport ask about this machine's processes, read from /proc. */
final class LocalProcesses {
    private LocalProcesses() {
    }

    /** Whether {@code pid} runs: it exists and is not a zombie waiting for its parent (init, here) to reap it. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
            String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            return afterName.charAt(0) != 'Z' && afterName.charAt(0) != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a running process (not a zombie) has {@code marker} in its command line. */
    static boolean anyWithMarker(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker) || p.info().arguments()
                        .map(args -> String.join(" ", args).contains(marker)).orElse(false))
                .anyMatch(p -> alive(p.pid()));
    }
}
