package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code kubectl} binary against the development API server: apply (create, then configure), get with
 * server-side printing, get -w, describe with events, logs through the kubelet endpoint, delete with graceful
 * termination, get nodes. Skipped, saying so, where no kubectl is installed ({@code .ci/setup.d/10-kubectl.sh}
 * installs Debian's kubernetes-client in CI).
 */
class KubectlApiServerIT {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private String kubectl;
    /** kubectl before 1.29 reads OpenAPI v2 (protobuf only), which this server does not serve. */
    private List<String> applyFlags = List.of();
    private DevApiServer api;
    private FakeKubelet kubelet;
    private KubernetesClient client;
    private Path kubeconfig;
    private final List<Process> background = new ArrayList<>();

    /** What a finished kubectl printed. */
    record Result(int exitCode, String out, String err) {
    }

    @BeforeEach
    void start() throws IOException {
        kubectl = findKubectl();
        Assumptions.assumeTrue(kubectl != null, "kubectl is not installed (not on PATH, no /usr/bin/kubectl): "
                + "install Debian's kubernetes-client to run this test");
        if (clientMinorVersion(kubectl) < 29) {
            applyFlags = List.of("--validate=false");
        }
        api = DevApiServer.builder().build().start();
        kubelet = new FakeKubelet();
        client = Fabric8.client(api);
        kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
        // the gateway's part: the virtual node with its kubelet endpoint
        client.nodes().resource(Fabric8.virtualNode("ferry-vk", kubelet.port())).create();
    }

    @AfterEach
    void stop() {
        background.forEach(Process::destroyForcibly);
        if (client != null) {
            client.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static String findKubectl() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : null;
    }

    private static int clientMinorVersion(String kubectl) throws IOException {
        Process process = new ProcessBuilder(kubectl, "version", "--client", "-o", "json")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(readAll(process.getInputStream()), StandardCharsets.UTF_8);
        java.util.regex.Matcher minor = java.util.regex.Pattern.compile("\"minor\":\\s*\"(\\d+)").matcher(out);
        return minor.find() ? Integer.parseInt(minor.group(1)) : Integer.MAX_VALUE;
    }

    private String[] apply(String file) {
        List<String> args = new ArrayList<>(List.of("apply", "-f", file));
        args.addAll(applyFlags);
        return args.toArray(String[]::new);
    }

    private ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dir.resolve("kube-cache").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile());
    }

    private Result run(String... args) throws Exception {
        Process process = command(args).start();
        process.getOutputStream().close();
        byte[][] streams = new byte[2][];
        Thread err = new Thread(() -> streams[1] = readAll(process.getErrorStream()));
        err.start();
        streams[0] = readAll(process.getInputStream());
        boolean done = process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        err.join(5_000);
        if (!done) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT);
        }
        return new Result(process.exitValue(), new String(streams[0], StandardCharsets.UTF_8),
                new String(streams[1] == null ? new byte[0] : streams[1], StandardCharsets.UTF_8));
    }

    private Result ok(String... args) throws Exception {
        Result result = run(args);
        assertThat(result.exitCode()).as("kubectl %s\nstdout: %s\nstderr: %s", String.join(" ", args),
                result.out(), result.err()).isZero();
        return result;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Starts kubectl in the background; its stdout lines are collected as they come. */
    private List<String> startCollecting(String... args) throws IOException {
        Process process = command(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        background.add(process);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed
            }
        }, "kubectl-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private Path resource(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/apiserver/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void applyGetWatchDescribeLogsDelete() throws Exception {
        Path manifest = resource("hello-pod.yaml");

        // apply: a GET (404), then a POST with the last-applied annotation; no --validate=false needed
        assertThat(ok(apply(manifest.toString())).out()).isEqualTo("pod/hello created\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ferry-vk".equals(client.pods().withName("hello").get()
                .getSpec().getNodeName()));

        // get: the server prints the table
        String table = ok("get", "pods").out();
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
        assertThat(table).containsPattern("hello\\s+0/1\\s+Pending\\s+0\\s+\\d+s");
        assertThat(ok("get", "pods", "-o", "wide").out()).containsPattern("hello\\s+0/1\\s+Pending.*ferry-vk");
        assertThat(ok("get", "nodes").out()).containsPattern("ferry-vk\\s+Ready\\s+agent\\s+\\d+s\\s+v1.32.0-ferry");
        assertThat(ok("get", "po", "-l", "app=hello", "-o", "name").out()).isEqualTo("pod/hello\n");

        // get -w: sees the status the gateway writes
        List<String> watched = startCollecting("get", "pods", "-w");
        await().atMost(Duration.ofSeconds(20)).until(() -> watched.stream().anyMatch(l -> l.startsWith("hello")));
        Pod pod = client.pods().withName("hello").get();
        client.pods().resource(new PodBuilder(pod).editStatus().withPhase("Running")
                .withContainerStatuses(new ContainerStatusBuilder().withName("main").withImage("busybox:1.36")
                        .withReady(true).withStarted(true).withRestartCount(0).withNewState().withNewRunning()
                        .withStartedAt("2026-01-01T00:00:00Z").endRunning().endState().build())
                .endStatus().build()).updateStatus();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(watched)
                .anySatisfy(line -> assertThat(line).containsPattern("hello\\s+1/1\\s+Running\\s+0")));
        assertThat(watched.get(0)).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");

        // apply again: a strategic merge patch of the changed fields
        Files.writeString(manifest, Files.readString(manifest).replace("app: hello", "app: hello\n    tier: demo"));
        assertThat(ok(apply(manifest.toString())).out()).isEqualTo("pod/hello configured\n");
        assertThat(client.pods().withName("hello").get().getMetadata().getLabels()).containsEntry("tier", "demo");

        // describe: the pod and its events
        String described = ok("describe", "pod", "hello").out();
        assertThat(described).containsPattern("Node:\\s+ferry-vk/");
        assertThat(described).containsPattern("Status:\\s+Running");
        assertThat(described).containsPattern("Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully "
                + "assigned default/hello to ferry-vk");

        // logs: proxied to the node's kubelet endpoint
        assertThat(ok("logs", "hello").out()).isEqualTo("hello from default/hello/main\nsecond line\n");
        assertThat(ok("logs", "hello", "--tail=1").out()).startsWith("hello from");
        assertThat(kubelet.requests).contains("/containerLogs/default/hello/main?tailLines=1");

        // delete: graceful; kubectl waits until the kubelet (here: this test, as the gateway) confirms
        List<String> deleting = startCollecting("delete", "pod", "hello");
        await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().withName("hello").get().getMetadata()
                .getDeletionTimestamp() != null);
        assertThat(ok("get", "pods").out()).containsPattern("hello\\s+1/1\\s+Terminating");
        Process deleteProcess = background.get(background.size() - 1);
        assertThat(deleteProcess.isAlive()).as("kubectl delete waits for the pod to be gone").isTrue();
        client.pods().withName("hello").withGracePeriod(0).delete();
        assertThat(deleteProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(deleteProcess.exitValue()).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(deleting)
                .containsExactly("pod \"hello\" deleted"));
        Result gone = run("get", "pod", "hello");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("pods \"hello\" not found");
    }

    @Test
    void errorsReachTheUserAsKubectlPrintsThem() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n"
                + "  - name: main\n    image: busybox\n");
        Result result = run(apply(bad.toString()));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\"");

        Result missing = run("get", "pods", "nothing");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("pods \"nothing\" not found");
        // kubectl asks for the namespace after a 404, and says that it is the namespace that is missing
        Result noNamespace = run("get", "pods", "-n", "nope", "nothing");
        assertThat(noNamespace.err()).contains("namespaces \"nope\" not found");
    }
}
