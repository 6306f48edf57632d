package dev.ferry.executor.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.schema.ConfigException;
import dev.ferry.schema.TopicsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One site's {@code site.yaml}, typed and validated; every error names the key. Example:
 *
 * <pre>{@code
 * site: hpc-a
 * kafka:
 *   bootstrapServers: kafka-0:9092
 *   properties: {security.protocol: SSL}
 * registry:
 *   url: http://registry:8080
 * executor:
 *   pollInterval: 1s
 * backend:
 *   type: slurm
 *   environment: {SLURM_CONF: /etc/slurm/slurm.conf}
 *   slurm:
 *     workDir: /scratch/ferry
 *     runtime: apptainer
 * }</pre>
 *
 * @param site     the site's name; {@code jobs.<site>} is its topic
 * @param kafka    where Kafka is
 * @param registry the schema registry
 * @param topics   topic settings ({@code ferry.topic.*} keys without the prefix: {@code prefix}, {@code partitions}, ...)
 * @param executor the runtime's settings
 * @param secrets  keys to unseal Secret values with
 * @param pools    what every pool of the site advertises besides what the backend reports
 * @param backend  which backend, and its own section ({@code backend.<type>}, bound by the backend)
 */
public record SiteConfig(
        String site,
        Kafka kafka,
        Registry registry,
        Map<String, String> topics,
        ExecutorSettings executor,
        Secrets secrets,
        PoolSettings pools,
        BackendSection backend) {

    public SiteConfig {
        if (site != null) {
            try {
                TopicsConfig.requireLegalSite(site);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("site", e.getMessage());
            }
        }
        kafka = kafka == null ? new Kafka(null, null, null) : kafka;
        registry = registry == null ? new Registry(null) : registry;
        topics = topics == null ? Map.of() : Map.copyOf(topics);
        topicsConfig(topics);
        executor = executor == null ? ExecutorSettings.defaults() : executor;
        secrets = secrets == null ? new Secrets(null) : secrets;
        pools = pools == null ? new PoolSettings(null, null, null) : pools;
        if (backend == null) {
            throw new ConfigException("backend", "is required: a section with at least 'type' (e.g. type: slurm)");
        }
    }

    /**
     * Reads and validates {@code file}. The backend's own section is checked when the backend is
     * created ({@link #backendSection()}).
     */
    public static SiteConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config", "file " + file.toAbsolutePath() + " does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException("--config", "file " + file.toAbsolutePath() + " is not readable");
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        return parse(text);
    }

    /** Parses and validates YAML text. */
    public static SiteConfig parse(String yaml) {
        ConfigSection root = ConfigSection.parseYaml(yaml);
        if (root.isMissing()) {
            throw new ConfigException("(file)", "is empty: it needs at least a 'backend' section");
        }
        return root.bind(SiteConfig.class);
    }

    /** The backend's own section, {@code backend.<type>}, for its factory to bind. */
    public ConfigSection backendSection() {
        return new ConfigSection("backend." + backend.type(), backend.section(backend.type()));
    }

    /** The site name: {@code --site} when given (it must then match the file's, if any), else the file's. */
    public String resolveSite(String fromCommandLine) {
        if (fromCommandLine != null && !fromCommandLine.isBlank()) {
            if (site != null && !site.equals(fromCommandLine)) {
                throw new ConfigException("site", "is '" + site + "' in the file but --site says '" + fromCommandLine
                        + "': remove one or make them the same");
            }
            try {
                return TopicsConfig.requireLegalSite(fromCommandLine);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--site", e.getMessage());
            }
        }
        if (site == null) {
            throw new ConfigException("site", "is required: set it in the file or pass --site NAME");
        }
        return site;
    }

    /** The topic settings as {@code ferry.topic.*} keys, for {@link TopicsConfig#fromMap}. */
    public TopicsConfig topicsConfig() {
        return topicsConfig(topics);
    }

    private static TopicsConfig topicsConfig(Map<String, String> topics) {
        Map<String, String> map = new LinkedHashMap<>();
        topics.forEach((k, v) -> map.put("ferry.topic." + k, v));
        try {
            return TopicsConfig.fromMap(map);
        } catch (ConfigException e) {
            throw new ConfigException("topics." + e.key().substring("ferry.topic.".length()),
                    e.getMessage().substring(e.key().length() + 2));
        }
    }

    /**
     * Kafka's address and client settings.
     *
     * @param bootstrapServers {@code host:port[,...]}; default the environment's {@code KAFKA_BOOTSTRAP_SERVERS}
     * @param groupId          consumer group; default {@code ferry-executor-<site>}
     * @param properties       passed to every Kafka client (security settings, ...)
     */
    public record Kafka(String bootstrapServers, String groupId, Map<String, String> properties) {
        public Kafka {
            properties = properties == null ? Map.of() : Map.copyOf(properties);
            if (bootstrapServers != null && bootstrapServers.isBlank()) {
                throw new ConfigException("bootstrapServers", "must not be empty");
            }
        }
    }

    /** @param url the schema registry's base URL; default the environment's {@code FERRY_REGISTRY_URL} */
    public record Registry(String url) {
        public Registry {
            if (url != null && !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new ConfigException("url", "must be the registry's http(s) base URL, e.g. http://127.0.0.1:8080, was '" + url + "'");
            }
        }
    }

    /**
     * Keys for Secret values sealed by the gateway (AES-256-GCM).
     *
     * @param keys key id to the base64 of a 32-byte key
     */
    public record Secrets(Map<String, String> keys) {
        public Secrets {
            keys = keys == null ? Map.of() : Map.copyOf(keys);
            keys.forEach((id, value) -> {
                byte[] key;
                try {
                    key = Base64.getDecoder().decode(value.strip());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("keys." + id, "must be base64 (e.g. from: head -c 32 /dev/urandom | base64)");
                }
                if (key.length != 32) {
                    throw new ConfigException("keys." + id, "must be 32 bytes (AES-256) in base64, was " + key.length + " bytes");
                }
            });
        }

        /** The decoded keys. */
        public Map<String, byte[]> decoded() {
            Map<String, byte[]> out = new LinkedHashMap<>();
            keys.forEach((id, value) -> out.put(id, Base64.getDecoder().decode(value.strip())));
            return out;
        }
    }

    /**
     * What every pool advertises besides what the backend discovers.
     *
     * @param labels            extra labels
     * @param taints            taints pods must tolerate
     * @param allowedNamespaces namespaces that may use the site; empty means all
     */
    public record PoolSettings(Map<String, String> labels, List<TaintSetting> taints, List<String> allowedNamespaces) {
        public PoolSettings {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            taints = taints == null ? List.of() : List.copyOf(taints);
            allowedNamespaces = allowedNamespaces == null ? List.of() : List.copyOf(allowedNamespaces);
        }
    }

    /** A taint: {@code key}, optional {@code value}, {@code effect} NoSchedule, PreferNoSchedule or NoExecute. */
    public record TaintSetting(String key, String value, String effect) {
        public TaintSetting {
            if (key == null || key.isBlank()) {
                throw new ConfigException("key", "is required");
            }
            effect = effect == null ? "NoSchedule" : effect;
            if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                throw new ConfigException("effect", "must be NoSchedule, PreferNoSchedule or NoExecute, was '" + effect + "'");
            }
        }
    }

    /**
     * Which backend. The backend's own settings sit under {@code backend.<type>} and are bound
     * by its factory.
     *
     * @param type        the backend ({@code slurm}; later {@code htcondor}, {@code vm})
     * @param environment extra environment for the backend's commands (e.g. {@code SLURM_CONF}); they
     *                    otherwise get only PATH, HOME, USER, LOGNAME, LANG, LC_ALL and TZ of the executor
     * @param commandTimeout how long one backend command may take
     * @param slurm       the Slurm backend's section (bound by it)
     * @param htcondor    the HTCondor backend's section
     * @param vm          the VM backend's section
     */
    public record BackendSection(String type, Map<String, String> environment, Duration commandTimeout,
                                 JsonNode slurm, JsonNode htcondor, JsonNode vm) {
        public BackendSection {
            if (type == null || type.isBlank()) {
                throw new ConfigException("type", "is required: the backend, e.g. slurm");
            }
            environment = environment == null ? Map.of() : Map.copyOf(environment);
            commandTimeout = commandTimeout == null ? Duration.ofSeconds(60) : commandTimeout;
            if (commandTimeout.isZero() || commandTimeout.isNegative()) {
                throw new ConfigException("commandTimeout", "must be positive, was " + commandTimeout);
            }
            if (!List.of("slurm", "htcondor", "vm").contains(type)) {
                throw new ConfigException("type", "must be slurm, htcondor or vm, was '" + type + "'");
            }
        }

        /** The raw section of one backend type (null when absent). */
        public JsonNode section(String backendType) {
            return switch (backendType) {
                case "slurm" -> slurm;
                case "htcondor" -> htcondor;
                case "vm" -> vm;
                default -> null;
            };
        }
    }
}
