package dev.ferry.devkit.apiserver.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TablesTest {

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text.replace('\'', '"').getBytes(java.nio.charset.StandardCharsets.UTF_8),
                false, "test");
    }

    @Test
    void podStatusAsKubectlShowsIt() {
        assertThat(Tables.podStatus(json("{'status':{'phase':'Pending'}}"))).isEqualTo("Pending");
        assertThat(Tables.podStatus(json("{'status':{'phase':'Pending','containerStatuses':[{'state':{'waiting':"
                + "{'reason':'ContainerCreating'}}}]}}"))).isEqualTo("ContainerCreating");
        assertThat(Tables.podStatus(json("{'status':{'phase':'Failed','containerStatuses':[{'state':"
                + "{'terminated':{'exitCode':3}}}]}}"))).isEqualTo("ExitCode:3");
        assertThat(Tables.podStatus(json("{'status':{'phase':'Succeeded','containerStatuses':[{'state':"
                + "{'terminated':{'exitCode':0,'reason':'Completed'}}}]}}"))).isEqualTo("Completed");
        assertThat(Tables.podStatus(json("{'spec':{'initContainers':[{'name':'i'}]},'status':{'phase':"
                + "'Pending','initContainerStatuses':[{'state':{'running':{}}}]}}"))).isEqualTo("Init:0/1");
        assertThat(Tables.podStatus(json("{'metadata':{'deletionTimestamp':'2026-01-01T00:00:00Z'},"
                + "'status':{'phase':'Running'}}"))).isEqualTo("Terminating");
        assertThat(Tables.podStatus(json("{'status':{'phase':'Failed','reason':'Unroutable'}}")))
                .isEqualTo("Unroutable");
    }

    @Test
    void podRowsAndNodeRows() {
        Instant now = Instant.parse("2026-01-01T00:10:00Z");
        ObjectNode pod = json("{'metadata':{'name':'p','creationTimestamp':'2026-01-01T00:00:00Z'},"
                + "'spec':{'nodeName':'vk','containers':[{'name':'a'},{'name':'b'}]},'status':{'phase':'Running',"
                + "'containerStatuses':[{'name':'a','ready':true,'restartCount':2,'state':{'running':{}}},"
                + "{'name':'b','ready':false,'restartCount':1,'state':{'running':{}}}]}}");
        JsonNode table = Tables.table(ResourceTypes.PODS, List.of(pod), 9, null, null, true, now);
        assertThat(table.at("/columnDefinitions")).extracting(c -> c.path("name").asText()).startsWith(
                "Name", "Ready", "Status", "Restarts", "Age");
        assertThat(table.at("/rows/0/cells")).extracting(JsonNode::asText).startsWith("p", "1/2", "Running", "3",
                "10m");
        assertThat(table.at("/rows/0/object/kind").asText()).isEqualTo("PartialObjectMetadata");

        ObjectNode node = json("{'metadata':{'name':'vk','creationTimestamp':'2026-01-01T00:09:00Z','labels':"
                + "{'kubernetes.io/role':'agent','node-role.kubernetes.io/edge':''}},'spec':{'unschedulable':true},"
                + "'status':{'conditions':[{'type':'Ready','status':'True'}],'nodeInfo':{'kubeletVersion':'v1'}}}");
        assertThat(Tables.table(ResourceTypes.NODES, List.of(node), 9, null, "None", false, now)
                .at("/rows/0/cells")).extracting(JsonNode::asText).startsWith("vk", "Ready,SchedulingDisabled",
                "agent,edge", "60s", "v1");
    }

    @Test
    void agesAsKubectlPrintsThem() {
        assertThat(Tables.humanDuration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Tables.humanDuration(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(Tables.humanDuration(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Tables.humanDuration(Duration.ofHours(5))).isEqualTo("5h");
        assertThat(Tables.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Tables.humanDuration(Duration.ofDays(3).plusHours(4))).isEqualTo("3d4h");
        assertThat(Tables.humanDuration(Duration.ofDays(400))).isEqualTo("400d");
    }
}
