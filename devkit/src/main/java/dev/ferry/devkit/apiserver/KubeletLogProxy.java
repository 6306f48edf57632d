package dev.ferry.devkit.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.ferry.devkit.apiserver.model.ApiException;
import dev.ferry.devkit.apiserver.model.Json;
import dev.ferry.devkit.apiserver.model.ObjectStore;
import dev.ferry.devkit.apiserver.model.ResourceTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pods/log}, as kube-apiserver serves it: finds the pod's node, and streams
 * {@code GET /containerLogs/{namespace}/{pod}/{container}} from that node's kubelet endpoint
 * ({@code status.daemonEndpoints.kubeletEndpoint.Port} at its InternalIP, else Hostname, else ExternalIP).
 *
 * <p>kube-apiserver always speaks HTTPS to kubelets. Development kubelet endpoints often have no certificate, so
 * this proxy speaks plain HTTP to an endpoint that answers it, and otherwise HTTPS without verifying the certificate
 * (like kube-apiserver started without {@code --kubelet-certificate-authority}); the choice is remembered per
 * endpoint.
 */
final class KubeletLogProxy {

    private static final Logger LOG = LoggerFactory.getLogger(KubeletLogProxy.class);
    private static final List<String> PASSED_PARAMETERS = List.of("follow", "previous", "timestamps", "tailLines",
            "sinceSeconds", "sinceTime", "limitBytes");
    private static final List<String> ADDRESS_PREFERENCE = List.of("InternalIP", "Hostname", "ExternalIP");

    private final ObjectStore store;
    private final HttpClient client;
    private final Map<String, String> schemes = new ConcurrentHashMap<>();

    KubeletLogProxy(ObjectStore store) {
        this.store = store;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).sslContext(trustAll()).sslParameters(noHostnameCheck())
                .build();
    }

    void stream(ApiRequest request, ObjectNode pod) {
        String namespace = Json.namespace(pod);
        String podName = Json.name(pod);
        String container = container(request.param("container"), pod);
        String nodeName = Json.text(pod, "spec.nodeName");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + podName + " does not have a host assigned: it has no logs yet");
        }
        ObjectNode node;
        try {
            node = store.get(ResourceTypes.NODES, null, nodeName);
        } catch (ApiException e) {
            throw ApiException.badRequest("pod " + podName + " is bound to node " + nodeName + ", which does not "
                    + "exist");
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        if (port <= 0) {
            throw ApiException.badRequest("node " + nodeName + " has no kubelet endpoint "
                    + "(status.daemonEndpoints.kubeletEndpoint.Port): logs of pods on it cannot be read");
        }
        String host = address(node);
        String endpoint = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String path = "/containerLogs/" + encode(namespace) + "/" + encode(podName) + "/" + encode(container)
                + query(request);
        String scheme = schemes.get(endpoint);
        HttpResponse<InputStream> response;
        if (scheme != null) {
            try {
                response = send(scheme + "://" + endpoint + path);
            } catch (IOException e) {
                throw kubeletFailure(scheme, endpoint, path, e);
            }
        } else {
            response = probe(endpoint, path);
        }
        copy(request.exchange, response, namespace + "/" + podName + "/" + container);
    }

    /**
     * The first request to an endpoint finds out its scheme: plain HTTP first (a TLS server closes the connection
     * at once, or, in Go, answers 400 "Client sent an HTTP request to an HTTPS server"), then HTTPS. The other
     * order can hang: a plain HTTP server may wait forever for the end of a request line that a TLS hello never
     * sends.
     */
    private HttpResponse<InputStream> probe(String endpoint, String path) {
        try {
            HttpResponse<InputStream> plain = send("http://" + endpoint + path);
            if (plain.statusCode() != 400) {
                schemes.put(endpoint, "http");
                return plain;
            }
            byte[] start = plain.body().readNBytes(4096);
            plain.body().close();
            String text = new String(start, StandardCharsets.UTF_8);
            if (!text.contains("HTTP request to an HTTPS server")) {
                schemes.put(endpoint, "http");
                return replay(plain, start);
            }
        } catch (java.net.ConnectException e) {
            throw kubeletFailure("http", endpoint, path, e);
        } catch (IOException e) {
            LOG.debug("kubelet endpoint {} does not answer plain HTTP ({}); trying HTTPS", endpoint, e.toString());
        }
        try {
            HttpResponse<InputStream> tls = send("https://" + endpoint + path);
            schemes.put(endpoint, "https");
            return tls;
        } catch (IOException e) {
            throw kubeletFailure("https", endpoint, path, e);
        }
    }

    /** A response whose body was partly read, with that part put back. */
    private static HttpResponse<InputStream> replay(HttpResponse<InputStream> response, byte[] start) {
        InputStream body = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(start),
                response.body());
        return new HttpResponse<>() {
            @Override
            public int statusCode() {
                return response.statusCode();
            }

            @Override
            public HttpRequest request() {
                return response.request();
            }

            @Override
            public java.util.Optional<HttpResponse<InputStream>> previousResponse() {
                return java.util.Optional.empty();
            }

            @Override
            public java.net.http.HttpHeaders headers() {
                return response.headers();
            }

            @Override
            public InputStream body() {
                return body;
            }

            @Override
            public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
                return response.sslSession();
            }

            @Override
            public URI uri() {
                return response.uri();
            }

            @Override
            public HttpClient.Version version() {
                return response.version();
            }
        };
    }

    private HttpResponse<InputStream> send(String url) throws IOException {
        HttpRequest kubeletRequest = HttpRequest.newBuilder(URI.create(url)).GET().build();
        try {
            return client.send(kubeletRequest, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void copy(HttpExchange exchange, HttpResponse<InputStream> response, String what) {
        try (InputStream in = response.body()) {
            if (response.statusCode() >= 400) {
                String message = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
                int code = response.statusCode() == 404 ? 404 : response.statusCode() < 500 ? 400 : 500;
                String reason = code == 404 ? "NotFound" : code == 400 ? "BadRequest" : "InternalError";
                ApiHandler.send(exchange, code, new ApiException(code, reason, "the kubelet answered "
                        + response.statusCode() + " for the logs of " + what + ": " + message).toStatus());
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
            out.close();
        } catch (IOException e) {
            LOG.debug("log stream of {} ended: {}", what, e.toString());
        }
    }

    private static String container(String requested, ObjectNode pod) {
        List<String> names = new ArrayList<>();
        for (String list : new String[] {"containers", "initContainers", "ephemeralContainers"}) {
            JsonNode containers = Json.at(pod, "spec." + list);
            if (containers != null && containers.isArray()) {
                containers.forEach(c -> names.add(Json.text(c, "name")));
            }
        }
        String podName = Json.name(pod);
        if (requested != null && !requested.isEmpty()) {
            if (!names.contains(requested)) {
                throw ApiException.badRequest("container " + requested + " is not valid for pod " + podName
                        + ": choose one of " + names);
            }
            return requested;
        }
        String annotated = "";
        JsonNode annotations = Json.at(pod, "metadata.annotations");
        if (annotations != null && annotations.has("kubectl.kubernetes.io/default-container")) {
            annotated = annotations.get("kubectl.kubernetes.io/default-container").asText();
        }
        if (!annotated.isEmpty() && names.contains(annotated)) {
            return annotated;
        }
        JsonNode containers = Json.at(pod, "spec.containers");
        if (containers != null && containers.size() == 1) {
            return Json.text(containers.get(0), "name");
        }
        throw ApiException.badRequest("a container name must be specified for pod " + podName + ", choose one of: "
                + names);
    }

    private static String address(JsonNode node) {
        JsonNode addresses = Json.at(node, "status.addresses");
        for (String preferred : ADDRESS_PREFERENCE) {
            if (addresses != null && addresses.isArray()) {
                for (JsonNode address : addresses) {
                    if (Json.text(address, "type").equals(preferred) && !Json.text(address, "address").isEmpty()) {
                        return Json.text(address, "address");
                    }
                }
            }
        }
        throw ApiException.badRequest("node " + Json.name(node) + " has no address (status.addresses with type "
                + "InternalIP, Hostname or ExternalIP): logs of pods on it cannot be read");
    }

    private static String query(ApiRequest request) {
        StringBuilder query = new StringBuilder();
        for (String name : PASSED_PARAMETERS) {
            String value = request.param(name);
            if (value != null) {
                query.append(query.length() == 0 ? '?' : '&').append(name).append('=').append(encode(value));
            }
        }
        return query.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static ApiException kubeletFailure(String scheme, String endpoint, String path, Exception e) {
        return new ApiException(500, "InternalError", "Get \"" + scheme + "://" + endpoint + path + "\": the "
                + "kubelet endpoint does not answer: " + e);
    }

    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // an X509ExtendedTrustManager, so the JDK adds no hostname check of its own either
            context.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }

    private static SSLParameters noHostnameCheck() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm(null);
        return parameters;
    }
}
