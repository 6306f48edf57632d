package dev.ferry.executor.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.executor.config.ConfigSection;
import java.nio.file.Path;

/**
 * The VM backend as {@code ferry dev} uses it: one pool, {@value #POOL}, whose one host is this
 * machine ({@code address: local}), with runtime {@code host}, so pods run as local processes of
 * the user who runs the executor, with no SSH, no keys and no isolation. The pool is advertised
 * with the label {@code ferry.dev/transport=local}.
 *
 * <p>A caller puts {@link #backendYaml(Path)} after its own {@code site:}, {@code kafka:} and
 * {@code registry:} keys and starts an executor from it, e.g.
 * {@code Executor.create(SiteConfig.parse(yaml), null, System.getenv(), Clock.systemUTC()).start()}.
 */
public final class LocalSite {

    /** The pool's name: pods are routed to {@code <site>/local}. */
    public static final String POOL = "local";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private LocalSite() {
    }

    /**
     * The {@code backend:} section of a site.yaml for a local site:
     *
     * <pre>
     * backend:
     *   type: vm
     *   vm:
     *     workDir: "/home/me/.ferry/dev/jobs"
     *     pools:
     *       - name: local
     *         runtime: host
     *         hosts:
     *           - address: local
     * </pre>
     *
     * @param workDir where the jobs go: each pod attempt gets {@code <workDir>/<site>/<pod-uid>-<attempt>}; made absolute
     * @throws dev.ferry.schema.ConfigException naming {@code backend.vm.workDir} when the path cannot be one (a line break in it)
     */
    public static String backendYaml(Path workDir) {
        String dir = workDir.toAbsolutePath().normalize().toString();
        String yaml = """
                backend:
                  type: vm
                  vm:
                    workDir: %s
                    pools:
                      - name: %s
                        runtime: host
                        hosts:
                          - address: %s
                """.formatted(yamlString(dir), POOL, VmSettings.HostSettings.LOCAL);
        // what the factory will do with it, now, so that a caller learns of a bad path here
        VmSettings settings = ConfigSection.parseYaml(yaml).child("backend").child("vm").bind(VmSettings.class);
        if (!settings.workDir().equals(dir)) {
            throw new IllegalStateException("workDir '" + dir + "' reads back from YAML as '" + settings.workDir() + "'");
        }
        return yaml;
    }

    /** A JSON string literal, ASCII only, which YAML reads as a double-quoted scalar with the same value. */
    private static String yamlString(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
