package dev.ferry.devkit.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RegistryExtension.class)
class ApicurioRegistryIT {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private static final String POD_V1 = """
            {"type":"record","name":"Pod","namespace":"dev.ferry.test","fields":[
              {"name":"uid","type":"string"}]}""";
    /** Adds a field with a default: readers of v2 can read v1 data, so BACKWARD allows it. */
    private static final String POD_V2_COMPATIBLE = """
            {"type":"record","name":"Pod","namespace":"dev.ferry.test","fields":[
              {"name":"uid","type":"string"},
              {"name":"site","type":"string","default":"none"}]}""";
    /** Adds a field without a default: readers of v2 cannot read v1 data, so BACKWARD rejects it. */
    private static final String POD_V2_INCOMPATIBLE = """
            {"type":"record","name":"Pod","namespace":"dev.ferry.test","fields":[
              {"name":"uid","type":"string"},
              {"name":"phase","type":"string"}]}""";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aRegisteredSchemaCanBeFetchedById(SchemaRegistry registry) throws Exception {
        String subject = TestNames.unique("pod-value");

        HttpResponse<String> registered = register(registry, subject, POD_V1);

        assertThat(registered.statusCode()).isEqualTo(200);
        long id = id(registered.body());
        HttpResponse<String> fetched = get(registry.ccompatUrl() + "/schemas/ids/" + id);
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body()).contains("dev.ferry.test").contains("Pod").contains("uid");
    }

    @Test
    void globalCompatibilityIsBackward(SchemaRegistry registry) throws Exception {
        HttpResponse<String> config = get(registry.ccompatUrl() + "/config");

        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("BACKWARD");
    }

    @Test
    void anIncompatibleNewVersionIsRejectedWith409(SchemaRegistry registry) throws Exception {
        String subject = TestNames.unique("pod-value");
        assertThat(register(registry, subject, POD_V1).statusCode()).isEqualTo(200);
        assertThat(register(registry, subject, POD_V2_COMPATIBLE).statusCode()).isEqualTo(200);

        HttpResponse<String> rejected = register(registry, subject, POD_V2_INCOMPATIBLE);

        assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(409);
    }

    @Test
    void exposesBothApis(SchemaRegistry registry) throws Exception {
        assertThat(registry.ccompatUrl()).isEqualTo(registry.baseUrl() + "/apis/ccompat/v7");
        assertThat(get(registry.registryV3Url() + "/system/info").body()).contains("3.0.9");
    }

    private HttpResponse<String> register(SchemaRegistry registry, String subject, String avro) throws Exception {
        String body = "{\"schemaType\":\"AVRO\",\"schema\":" + jsonString(avro) + "}";
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(registry.ccompatUrl() + "/subjects/" + subject + "/versions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static long id(String body) {
        Matcher m = ID.matcher(body);
        assertThat(m.find()).as("an id in %s", body).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
