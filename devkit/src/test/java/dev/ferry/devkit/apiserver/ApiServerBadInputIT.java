package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad requests, sent as raw HTTP: each gets the Kubernetes {@code Status} with the code and reason a real API
 * server answers and a message that names what to fix, and nothing in the store changes.
 */
class ApiServerBadInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static final String GOOD_POD = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
            + "\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}";

    private DevApiServer api;
    private final HttpClient http = HttpClient.newHttpClient();
    private String resourceVersionBefore;

    @BeforeEach
    void start() throws Exception {
        api = DevApiServer.builder().scheduler(false).build().start();
        assertThat(send("POST", PODS, "application/json", GOOD_POD).statusCode()).isEqualTo(201);
        resourceVersionBefore = resourceVersion();
    }

    @AfterEach
    void stop() throws Exception {
        assertThat(resourceVersion()).as("nothing in the store changed").isEqualTo(resourceVersionBefore);
        api.close();
    }

    private String resourceVersion() throws Exception {
        return JSON.readTree(send("GET", PODS, null, null).body()).path("metadata").path("resourceVersion")
                .asText();
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url() + path));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(HttpResponse<String> response, int code, String reason) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("code").asInt()).isEqualTo(code);
        assertThat(status.path("reason").asText()).isEqualTo(reason);
        return status;
    }

    @Test
    void malformedJsonIs400() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/json", "{\"metadata\": {\"name\": "), 400,
                "BadRequest");
        assertThat(status.path("message").asText()).startsWith("the request body is not valid JSON");
    }

    @Test
    void malformedYamlIs400() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/yaml", "metadata:\n  name: [unclosed\n"), 400,
                "BadRequest");
        assertThat(status.path("message").asText()).startsWith("the request body is not valid YAML");
    }

    @Test
    void aBodyThatIsNotAnObjectIs400() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/json", "[1,2]"), 400, "BadRequest");
        assertThat(status.path("message").asText()).contains("must be a JSON object");
    }

    @Test
    void anUnknownKindIs404() throws Exception {
        JsonNode status = status(send("POST", "/api/v1/namespaces/default/deployments", "application/json",
                "{\"metadata\":{\"name\":\"d\"}}"), 404, "NotFound");
        assertThat(status.path("message").asText()).isEqualTo("the server could not find the requested resource");
        status(send("GET", "/apis/apps/v1/deployments", null, null), 404, "NotFound");
    }

    @Test
    void aMissingNamespaceIs404() throws Exception {
        JsonNode status = status(send("POST", "/api/v1/namespaces/nope/pods", "application/json",
                GOOD_POD.replace("\"name\":\"p\"", "\"name\":\"q\"")), 404, "NotFound");
        assertThat(status.path("message").asText()).isEqualTo("namespaces \"nope\" not found");
    }

    @Test
    void aNameThatIsNotADnsNameIs422() throws Exception {
        JsonNode status = status(send("POST", "/api/v1/namespaces", "application/json",
                "{\"metadata\":{\"name\":\"Not_A_Label\"}}"), 422, "Invalid");
        assertThat(status.path("message").asText()).startsWith("Namespace \"Not_A_Label\" is invalid: "
                + "metadata.name: Invalid value: \"Not_A_Label\": a lowercase RFC 1123 label");
        assertThat(status.path("details").path("causes").get(0).path("field").asText()).isEqualTo("metadata.name");

        JsonNode pod = status(send("POST", PODS, "application/json", GOOD_POD.replace("\"name\":\"p\"",
                "\"name\":\"Bad_Pod\"")), 422, "Invalid");
        assertThat(pod.path("message").asText()).contains("a lowercase RFC 1123 subdomain");
    }

    @Test
    void aPodWithoutContainersIs422() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/json",
                "{\"metadata\":{\"name\":\"empty\"},\"spec\":{}}"), 422, "Invalid");
        assertThat(status.path("message").asText()).contains("spec.containers: Required value");
    }

    @Test
    void aKindThatDoesNotMatchTheUrlIs400() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\"}}"), 400, "BadRequest");
        assertThat(status.path("message").asText()).contains("the kind of the object (ConfigMap) does not match "
                + "the URL");
        status(send("POST", PODS, "application/json", GOOD_POD.replace("\"apiVersion\":\"v1\"",
                "\"apiVersion\":\"apps/v1\"")), 400, "BadRequest");
    }

    @Test
    void aNamespaceInTheBodyThatDiffersFromTheUrlIs400() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/json", GOOD_POD.replace("\"name\":\"p\"",
                "\"name\":\"q\",\"namespace\":\"kube-system\"")), 400, "BadRequest");
        assertThat(status.path("message").asText()).contains("does not match the namespace sent on the request");
    }

    @Test
    void aCreateOfAnExistingNameIs409() throws Exception {
        JsonNode status = status(send("POST", PODS, "application/json", GOOD_POD), 409, "AlreadyExists");
        assertThat(status.path("message").asText()).isEqualTo("pods \"p\" already exists");
    }

    @Test
    void aStaleResourceVersionIs409() throws Exception {
        String stale = GOOD_POD.replace("\"name\":\"p\"", "\"name\":\"p\",\"resourceVersion\":\"1\","
                + "\"labels\":{\"a\":\"b\"}");
        JsonNode status = status(send("PUT", PODS + "/p", "application/json", stale), 409, "Conflict");
        assertThat(status.path("message").asText()).isEqualTo("Operation cannot be fulfilled on pods \"p\": the "
                + "object has been modified; please apply your changes to the latest version and try again");
        status(send("PUT", PODS + "/p/status", "application/json", stale), 409, "Conflict");
    }

    @Test
    void unsupportedMediaTypesAre415() throws Exception {
        JsonNode patch = status(send("PATCH", PODS + "/p", "text/plain", "{}"), 415, "UnsupportedMediaType");
        assertThat(patch.path("message").asText()).contains("application/merge-patch+json");
        JsonNode apply = status(send("PATCH", PODS + "/p", "application/apply-patch+yaml", "metadata: {}"), 415,
                "UnsupportedMediaType");
        assertThat(apply.path("message").asText()).contains("server-side apply");
        status(send("POST", PODS, "application/vnd.kubernetes.protobuf", "x"), 415, "UnsupportedMediaType");
    }

    @Test
    void badSelectorsAre400() throws Exception {
        JsonNode field = status(send("GET", PODS + "?fieldSelector=spec.foo%3Dx", null, null), 400, "BadRequest");
        assertThat(field.path("message").asText()).startsWith("field label not supported: spec.foo");
        JsonNode label = status(send("GET", PODS + "?labelSelector=a%20in%20b", null, null), 400, "BadRequest");
        assertThat(label.path("message").asText()).contains("unable to parse requirement");
    }

    @Test
    void aJsonPatchThatCannotApplyIs422AndAMalformedOneIs400() throws Exception {
        status(send("PATCH", PODS + "/p", "application/json-patch+json",
                "[{\"op\":\"remove\",\"path\":\"/metadata/labels/none\"}]"), 422, "Invalid");
        status(send("PATCH", PODS + "/p", "application/json-patch+json", "{\"op\":\"add\"}"), 400, "BadRequest");
    }

    @Test
    void aMissingObjectIs404() throws Exception {
        JsonNode status = status(send("GET", PODS + "/nope", null, null), 404, "NotFound");
        assertThat(status.path("message").asText()).isEqualTo("pods \"nope\" not found");
        assertThat(status.path("details").path("name").asText()).isEqualTo("nope");
        status(send("DELETE", "/apis/coordination.k8s.io/v1/namespaces/default/leases/nope", null, null), 404,
                "NotFound");
    }

    @Test
    void aWrongMethodIs405() throws Exception {
        status(send("PUT", PODS, "application/json", GOOD_POD), 405, "MethodNotAllowed");
    }
}
