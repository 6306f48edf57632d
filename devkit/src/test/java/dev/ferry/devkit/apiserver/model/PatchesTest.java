package dev.ferry.devkit.apiserver.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PatchesTest {

    private static JsonNode json(String text) {
        return Json.parse(text.replace('\'', '"').getBytes(java.nio.charset.StandardCharsets.UTF_8), false, "test");
    }

    @Test
    void mergePatchFollowsRfc7386() {
        JsonNode target = json("{'a':'b','c':{'d':'e','f':'g'},'list':[1,2]}");
        JsonNode result = Patches.mergePatch(target, json("{'a':'z','c':{'f':null},'list':[3]}"));
        assertThat(result).isEqualTo(json("{'a':'z','c':{'d':'e'},'list':[3]}"));
        assertThat(target).as("the target is left alone").isEqualTo(json("{'a':'b','c':{'d':'e','f':'g'},"
                + "'list':[1,2]}"));
    }

    @Test
    void jsonPatchOperations() {
        JsonNode target = json("{'metadata':{'labels':{'a/b':'1'}},'items':[1,2,3]}");
        JsonNode result = Patches.jsonPatch(target, json("["
                + "{'op':'add','path':'/metadata/labels/x','value':'y'},"
                + "{'op':'remove','path':'/metadata/labels/a~1b'},"
                + "{'op':'replace','path':'/items/0','value':9},"
                + "{'op':'add','path':'/items/-','value':4},"
                + "{'op':'move','from':'/items/1','path':'/moved'},"
                + "{'op':'copy','from':'/moved','path':'/copied'},"
                + "{'op':'test','path':'/copied','value':2}]"));
        assertThat(result).isEqualTo(json("{'metadata':{'labels':{'x':'y'}},'items':[9,3,4],'moved':2,"
                + "'copied':2}"));
    }

    @Test
    void jsonPatchFailuresAreClear() {
        JsonNode target = json("{'a':1}");
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("[{'op':'test','path':'/a','value':2}]")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422))
                .hasMessageContaining("test");
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("[{'op':'remove','path':'/b/c'}]")))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("[{'op':'jump','path':'/a'}]")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("{'op':'add'}")))
                .hasMessageContaining("list of operations");
    }

    @Test
    void strategicMergeMergesContainersByNameAndConditionsByType() {
        JsonNode pod = json("{'spec':{'containers':[{'name':'main','image':'a:1','env':[{'name':'X','value':'1'}]},"
                + "{'name':'side','image':'s:1'}],'tolerations':[{'key':'a'}]},"
                + "'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'PodScheduled',"
                + "'status':'True'}]}}");
        JsonNode result = Patches.strategicMergePatch(pod, json("{'spec':{'containers':[{'name':'main',"
                + "'image':'a:2','env':[{'name':'Y','value':'2'}]}],'tolerations':[{'key':'b'}]},"
                + "'status':{'conditions':[{'type':'Ready','status':'True'}]}}"));
        assertThat(result.at("/spec/containers/0/image").asText()).isEqualTo("a:2");
        assertThat(result.at("/spec/containers/0/env")).isEqualTo(json("[{'name':'X','value':'1'},"
                + "{'name':'Y','value':'2'}]"));
        assertThat(result.at("/spec/containers/1/name").asText()).isEqualTo("side");
        assertThat(result.at("/spec/tolerations")).as("lists without a merge key are replaced")
                .isEqualTo(json("[{'key':'b'}]"));
        assertThat(result.at("/status/conditions")).isEqualTo(json("[{'type':'Ready','status':'True'},"
                + "{'type':'PodScheduled','status':'True'}]"));
    }

    @Test
    void strategicMergeDirectives() {
        JsonNode pod = json("{'metadata':{'finalizers':['a','b'],'labels':{'x':'1','y':'2'}},"
                + "'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}],'volumes':[{'name':'v'}]}}");
        JsonNode result = Patches.strategicMergePatch(pod, json("{'metadata':{'finalizers':['c'],"
                + "'$deleteFromPrimitiveList/finalizers':['a'],'labels':{'$patch':'replace','z':'3'}},"
                + "'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'}],"
                + "'containers':[{'name':'b','$patch':'delete'}],'volumes':[{'$patch':'replace'},{'name':'w'}]}}"));
        assertThat(result.at("/metadata/finalizers")).isEqualTo(json("['b','c']"));
        assertThat(result.at("/metadata/labels")).isEqualTo(json("{'z':'3'}"));
        assertThat(result.at("/spec/containers")).isEqualTo(json("[{'name':'c'},{'name':'a'}]"));
        assertThat(result.at("/spec/volumes")).isEqualTo(json("[{'name':'w'}]"));
    }

    @Test
    void serverSideApplyIsRefusedWith415() {
        assertThatThrownBy(() -> Patches.apply(Patches.Type.APPLY_PATCH, json("{}"), json("{}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415))
                .hasMessageContaining("client-side apply");
        assertThat(Patches.Type.of("application/merge-patch+json; charset=utf-8"))
                .isEqualTo(Patches.Type.MERGE_PATCH);
        assertThat(Patches.Type.of("text/plain")).isNull();
    }
}
