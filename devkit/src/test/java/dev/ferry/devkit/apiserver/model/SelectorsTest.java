package dev.ferry.devkit.apiserver.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {

    private static ObjectNode pod(String node, String phase) {
        ObjectNode pod = Json.object();
        pod.putObject("metadata").put("name", "p").put("namespace", "default");
        if (node != null) {
            pod.putObject("spec").put("nodeName", node);
        }
        pod.putObject("status").put("phase", phase);
        return pod;
    }

    @Test
    void labelSelectorsOfEveryOperator() {
        Map<String, String> labels = Map.of("app", "web", "tier", "front", "rank", "5");
        assertThat(LabelSelector.parse("app=web").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("app==web,tier=front").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("app!=web").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("missing!=x").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("tier in (front, back)").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("tier notin (front,back)").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("app,!missing").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("!app").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("rank>3,rank<6").matches(labels)).isTrue();
        assertThat(LabelSelector.parse("rank>5").matches(labels)).isFalse();
        assertThat(LabelSelector.parse("example.com/team=x").matches(Map.of("example.com/team", "x"))).isTrue();
        assertThat(LabelSelector.parse("").matches(labels)).isTrue();
    }

    @Test
    void badLabelSelectorsNameTheProblem() {
        assertThatThrownBy(() -> LabelSelector.parse("app in web")).isInstanceOfSatisfying(ApiException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("unable to parse requirement").contains("(a,b)");
                });
        assertThatThrownBy(() -> LabelSelector.parse("-bad=x")).hasMessageContaining("invalid label key \"-bad\"");
        assertThatThrownBy(() -> LabelSelector.parse("a=b c")).hasMessageContaining("invalid label value");
        assertThatThrownBy(() -> LabelSelector.parse("a>x")).hasMessageContaining("must be an integer");
        assertThatThrownBy(() -> LabelSelector.parse("a=b,,c")).hasMessageContaining("empty requirement");
    }

    @Test
    void fieldSelectorsOnNodeNamePhaseAndMissingFields() {
        assertThat(FieldSelector.parse("spec.nodeName=node-a").matches(pod("node-a", "Running"))).isTrue();
        assertThat(FieldSelector.parse("spec.nodeName=node-a").matches(pod("node-b", "Running"))).isFalse();
        assertThat(FieldSelector.parse("spec.nodeName==node-a").matches(pod("node-a", "Running"))).isTrue();
        // an unscheduled pod has spec.nodeName "" (what kube-scheduler's own informer selects)
        assertThat(FieldSelector.parse("spec.nodeName=").matches(pod(null, "Pending"))).isTrue();
        assertThat(FieldSelector.parse("status.phase!=Succeeded,status.phase!=Failed")
                .matches(pod("n", "Running"))).isTrue();
        assertThat(FieldSelector.parse("status.phase!=Succeeded,status.phase!=Failed")
                .matches(pod("n", "Failed"))).isFalse();
        assertThat(FieldSelector.parse("metadata.name=p,metadata.namespace=default").matches(pod("n", "x")))
                .isTrue();
    }

    @Test
    void fieldSelectorValuesMayEscapeCommasAndEquals() {
        ObjectNode event = Json.object();
        event.putObject("involvedObject").put("name", "a,b=c");
        FieldSelector selector = FieldSelector.parse("involvedObject.name=a\\,b\\=c");
        assertThat(selector.terms()).hasSize(1);
        assertThat(selector.matches(event)).isTrue();
        assertThat(selector.required("involvedObject.name")).isEqualTo("a,b=c");
    }

    @Test
    void eventSourceSelectsTheComponent() {
        ObjectNode event = Json.object();
        event.putObject("source").put("component", "default-scheduler");
        assertThat(FieldSelector.parse("source=default-scheduler").validateFor(ResourceTypes.EVENTS)
                .matches(event)).isTrue();
    }

    @Test
    void unsupportedFieldLabelsAreRefused() {
        assertThatThrownBy(() -> FieldSelector.parse("spec.containers=x").validateFor(ResourceTypes.PODS))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("field label not supported: spec.containers")
                            .contains("spec.nodeName");
                });
        assertThatThrownBy(() -> FieldSelector.parse("spec.nodeName").validateFor(ResourceTypes.PODS))
                .hasMessageContaining("key=value");
        assertThat(FieldSelector.parse("involvedObject.uid=u").validateFor(ResourceTypes.EVENTS).terms())
                .hasSize(1);
    }
}
