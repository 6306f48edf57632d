package dev.ferry.devkit.apiserver.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerFitTest {

    private static JsonNode json(String text) {
        return Json.parse(text.replace('\'', '"').getBytes(java.nio.charset.StandardCharsets.UTF_8), false, "test");
    }

    private static ObjectNode node(String name, String labels, String taints, String ready, String allocatable) {
        return (ObjectNode) json("{'metadata':{'name':'" + name + "','labels':" + labels + "},"
                + "'spec':{'taints':" + taints + "},'status':{'conditions':[{'type':'Ready','status':'" + ready
                + "'}],'allocatable':" + allocatable + "}}");
    }

    private static final String ROOMY = "{'cpu':'4','memory':'8Gi','pods':'10','nvidia.com/gpu':'2'}";
    private static final ObjectNode WORKER = node("worker", "{}", "[]", "True", ROOMY);
    private static final ObjectNode VIRTUAL = node("ferry-vk", "{'type':'virtual-kubelet'}",
            "[{'key':'virtual-node.ferry.dev/no-schedule','effect':'NoSchedule'}]", "True", ROOMY);

    private static JsonNode pod(String spec) {
        return json("{'metadata':{'name':'p','namespace':'default'},'spec':" + spec + "}");
    }

    private static final String TOLERATES = "'tolerations':[{'key':'virtual-node.ferry.dev/no-schedule',"
            + "'operator':'Exists','effect':'NoSchedule'}]";

    @Test
    void aNodeSelectorAndATolerationLandOnTheVirtualNode() {
        SchedulerFit.Result result = SchedulerFit.schedule(pod("{'nodeSelector':{'type':'virtual-kubelet'},"
                + TOLERATES + ",'containers':[{'name':'c'}]}"), List.of(WORKER, VIRTUAL), List.of());
        assertThat(result.node()).hasValue("ferry-vk");
    }

    @Test
    void theMessageCountsEachReasonAsKubeSchedulerDoes() {
        SchedulerFit.Result result = SchedulerFit.schedule(pod("{'nodeSelector':{'type':'virtual-kubelet'},"
                + "'containers':[{'name':'c'}]}"), List.of(WORKER, VIRTUAL), List.of());
        assertThat(result.node()).isEmpty();
        assertThat(result.message()).isEqualTo("0/2 nodes are available: 1 node(s) didn't match Pod's node "
                + "affinity/selector, 1 node(s) had untolerated taint {virtual-node.ferry.dev/no-schedule: }. "
                + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
        assertThat(SchedulerFit.schedule(pod("{}"), List.of(), List.of()).message())
                .isEqualTo("no nodes available to schedule pods");
    }

    @Test
    void tolerationOperatorsAndEffects() {
        ObjectNode tainted = node("t", "{}", "[{'key':'k','value':'v','effect':'NoExecute'},"
                + "{'key':'soft','effect':'PreferNoSchedule'}]", "True", ROOMY);
        assertThat(SchedulerFit.filter(pod("{'tolerations':[{'key':'k','value':'v'}]}"), tainted, List.of()))
                .as("Equal, any effect").isEmpty();
        assertThat(SchedulerFit.filter(pod("{'tolerations':[{'key':'k','value':'w'}]}"), tainted, List.of()))
                .containsExactly("node(s) had untolerated taint {k: v}");
        assertThat(SchedulerFit.filter(pod("{'tolerations':[{'key':'k','operator':'Exists','effect':"
                + "'NoSchedule'}]}"), tainted, List.of())).as("wrong effect").hasSize(1);
        assertThat(SchedulerFit.filter(pod("{'tolerations':[{'operator':'Exists'}]}"), tainted, List.of()))
                .as("an empty key with Exists tolerates everything").isEmpty();
    }

    @Test
    void requiredNodeAffinityTermsAreOredAndExpressionsAnded() {
        ObjectNode gpu = node("gpu", "{'accel':'a100','zone':'z1','gen':'5'}", "[]", "True", ROOMY);
        String affinity = "{'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"
                + "{'nodeSelectorTerms':[%s]}}}}";
        assertThat(SchedulerFit.matchesRequiredAffinity(pod(String.format(affinity,
                "{'matchExpressions':[{'key':'accel','operator':'In','values':['a100','h100']},"
                        + "{'key':'zone','operator':'NotIn','values':['z2']},{'key':'gen','operator':'Gt',"
                        + "'values':['4']},{'key':'spot','operator':'DoesNotExist'}]}")), gpu)).isTrue();
        assertThat(SchedulerFit.matchesRequiredAffinity(pod(String.format(affinity,
                "{'matchExpressions':[{'key':'accel','operator':'In','values':['h100']}]},"
                        + "{'matchFields':[{'key':'metadata.name','operator':'In','values':['gpu']}]}")), gpu))
                .as("the second term matches").isTrue();
        assertThat(SchedulerFit.matchesRequiredAffinity(pod(String.format(affinity,
                "{'matchExpressions':[{'key':'accel','operator':'Exists'},{'key':'gen','operator':'Lt',"
                        + "'values':['5']}]}")), gpu)).isFalse();
        assertThat(SchedulerFit.matchesRequiredAffinity(pod(String.format(affinity, "{}")), gpu))
                .as("an empty term matches no node").isFalse();
    }

    @Test
    void notReadyAndUnschedulableNodesAreFilteredWithTheirTaints() {
        ObjectNode notReady = node("n", "{}", "[]", "False", ROOMY);
        assertThat(SchedulerFit.filter(pod("{}"), notReady, List.of()))
                .containsExactly("node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
        assertThat(SchedulerFit.filter(pod("{}"), node("u", "{}", "[]", "Unknown", ROOMY), List.of()))
                .containsExactly("node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
        assertThat(SchedulerFit.filter(pod("{'tolerations':[{'key':'node.kubernetes.io/not-ready',"
                + "'operator':'Exists'}]}"), notReady, List.of())).isEmpty();
        ObjectNode cordoned = WORKER.deepCopy();
        Json.with(cordoned, "spec").put("unschedulable", true);
        assertThat(SchedulerFit.filter(pod("{}"), cordoned, List.of())).containsExactly(
                "node(s) were unschedulable");
    }

    @Test
    void requestsMustFitWhatIsLeft() {
        JsonNode big = pod("{'containers':[{'name':'c','resources':{'requests':{'cpu':'3','memory':'6Gi',"
                + "'nvidia.com/gpu':'2'}}}]}");
        JsonNode running = json("{'metadata':{'name':'r'},'spec':{'nodeName':'worker','containers':[{'name':'c',"
                + "'resources':{'requests':{'cpu':'1500m','memory':'1Gi'}}}]},'status':{'phase':'Running'}}");
        JsonNode finished = json("{'metadata':{'name':'f'},'spec':{'nodeName':'worker','containers':[{'name':'c',"
                + "'resources':{'requests':{'cpu':'4'}}}]},'status':{'phase':'Succeeded'}}");
        assertThat(SchedulerFit.filter(big, WORKER, List.of())).isEmpty();
        assertThat(SchedulerFit.filter(big, WORKER, List.of(running))).containsExactly("Insufficient cpu");
        assertThat(SchedulerFit.schedule(big, List.of(WORKER), List.of(running, finished)).message())
                .startsWith("0/1 nodes are available: 1 Insufficient cpu.");
        assertThat(SchedulerFit.schedule(big, List.of(WORKER), List.of(finished)).node())
                .as("a finished pod holds nothing").hasValue("worker");
        JsonNode init = pod("{'initContainers':[{'name':'i','resources':{'requests':{'memory':'9Gi'}}}],"
                + "'containers':[{'name':'c'}]}");
        assertThat(SchedulerFit.filter(init, WORKER, List.of())).containsExactly("Insufficient memory");
    }

    @Test
    void theLeastBusyFittingNodeWins() {
        ObjectNode other = node("other", "{}", "[]", "True", ROOMY);
        JsonNode busy = json("{'metadata':{'name':'b'},'spec':{'nodeName':'other'},'status':{'phase':'Running'}}");
        assertThat(SchedulerFit.schedule(pod("{}"), List.of(other, WORKER), List.of(busy)).node())
                .hasValue("worker");
        assertThat(SchedulerFit.schedule(pod("{}"), List.of(other, WORKER), List.of()).node())
                .as("then by name").hasValue("other");
    }
}
