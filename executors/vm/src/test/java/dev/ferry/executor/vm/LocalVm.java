package dev.ferry.executor.vm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real sshd (and podman) that {@code executors/vm/scripts/local-vm.sh start} runs on
 * 127.0.0.1, as the tests see it: read from {@code $FERRY_VM_DIR/env} (default
 * {@code /tmp/ferry-vm/env}). Tests that need it skip, saying how to start it, when it is not there.
 */
public record LocalVm(Map<String, String> env) {

    public static final String START_HINT = "start it with: executors/vm/scripts/local-vm.sh start (CI: .ci/setup.d/40-vm.sh)";

    /** The local VM, or the test is skipped with the reason. */
    public static LocalVm require() {
        String dir = System.getenv().getOrDefault("FERRY_VM_DIR", "/tmp/ferry-vm");
        Path file = Path.of(dir, "env");
        assumeTrue(Files.isReadable(file), "no local sshd for the VM backend's tests: " + file + " is missing; " + START_HINT);
        Map<String, String> env = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    String value = line.substring(eq + 1);
                    if (value.startsWith("'") && value.endsWith("'") && value.length() >= 2) {
                        value = value.substring(1, value.length() - 1);
                    }
                    env.put(line.substring(0, eq), value.replace("\\ ", " "));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        LocalVm vm = new LocalVm(Map.copyOf(env));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(vm.host(), vm.port()), 2000);
        } catch (IOException e) {
            assumeTrue(false, "the local sshd does not answer on " + vm.host() + ":" + vm.port() + " (" + e.getMessage() + "); " + START_HINT);
        }
        return vm;
    }

    /** The local VM with working rootless podman, or the test is skipped with the reason. */
    public static LocalVm requirePodman() {
        LocalVm vm = require();
        String status = vm.env.getOrDefault("FERRY_VM_PODMAN", "unknown (local-vm.sh did not say)");
        assumeTrue(status.equals("ok"), "podman cannot run containers on the local VM: " + status);
        return vm;
    }

    public String host() {
        return env.getOrDefault("FERRY_VM_HOST", "127.0.0.1");
    }

    public int port() {
        return Integer.parseInt(env.getOrDefault("FERRY_VM_PORT", "22022"));
    }

    public String user() {
        return env.get("FERRY_VM_USER");
    }

    public String key() {
        return env.get("FERRY_VM_KEY");
    }

    public String rsaKey() {
        return env.get("FERRY_VM_RSA_KEY");
    }

    public String knownHosts() {
        return env.get("FERRY_VM_KNOWN_HOSTS");
    }

    public String image() {
        return env.get("FERRY_VM_IMAGE");
    }

    public String rootfs() {
        return env.get("FERRY_VM_ROOTFS");
    }

    public HostSettings hostSettings(String name) {
        return new HostSettings(name, host(), port(), null);
    }

    /** Settings with one pool of this VM (host name {@code local}), a short grace period and a test work directory. */
    public VmSettings settings(String runtime) {
        return settings(PoolSettings.of("local", runtime, List.of(hostSettings("local"))));
    }

    public VmSettings settings(PoolSettings pool) {
        return new VmSettings(user(), key(), null, knownHosts(), ".ferry-test/jobs", Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofDays(1), List.of(pool));
    }
}
