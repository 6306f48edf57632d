package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ferry gateway}'s options and its errors before anything runs. */
class GatewayCommandTest {

    private static final Map<String, String> REGISTRY = Map.of("FERRY_REGISTRY_URL", "http://127.0.0.1:1");

    @Test
    void helpDocumentsTheOptionsAndSettings() {
        CliRun run = ferry("gateway", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "--registry-url",
                "--kubeconfig", "--node", "ferry.gateway.nodes", "ferry.gateway.interlink-nodes",
                "ferry.gateway.secret-key-file", "ferry.gateway.resolve-timeout", "deploy/kubernetes/gateway-rbac.yaml");
    }

    @Test
    void anInterLinkNodeThatIsNotANodeIsRefusedNamingTheKey() {
        CliRun run = ferry(REGISTRY, "gateway", "--node", "vk-a", "--set", "ferry.gateway.interlink-nodes=vk-b");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.gateway.interlink-nodes: names 'vk-b', which is not in "
                + "ferry.gateway.nodes [vk-a]");
    }

    @Test
    void aNodeNameKubernetesWouldRefuseIsRefusedBeforeAnythingStarts() {
        CliRun run = ferry(REGISTRY, "gateway", "--node", "Not_A_Node");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.gateway.nodes:", "Not_A_Node");
    }

    @Test
    void aSecretKeyFileThatIsMissingIsNamed() {
        CliRun run = ferry(REGISTRY, "gateway", "--set", "ferry.gateway.secret-key-file=/nonexistent/key");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.gateway.secret-key-file: cannot read /nonexistent/key");
    }

    @Test
    void aMissingKubeconfigIsNamed() {
        CliRun run = ferry(REGISTRY, "gateway", "--kubeconfig", "/nonexistent/kubeconfig");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("cannot read the kubeconfig /nonexistent/kubeconfig");
    }
}
