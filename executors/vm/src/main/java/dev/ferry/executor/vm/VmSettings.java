package dev.ferry.executor.vm;

import dev.ferry.schema.ConfigException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The VM backend's section of {@code site.yaml} ({@code backend.vm}).
 *
 * <pre>
 * backend:
 *   type: vm
 *   vm:
 *     user: ferry                          # login user on the VMs (a host may override it)
 *     identityFile: /etc/ferry/id_ed25519  # private key (ed25519 or RSA); no passwords
 *     knownHostsFile: /etc/ferry/known_hosts   # this site's known_hosts; unknown or changed host keys are refused
 *     workDir: .ferry/jobs                 # on the VMs; relative paths are under the login user's home
 *     pools:
 *       - name: a100
 *         runtime: podman                  # podman, docker, apptainer or host
 *         hosts:
 *           - address: 10.0.0.5
 * </pre>
 *
 * @param user                   default login user (required unless every host names one)
 * @param identityFile           the private key the executor logs in with (required)
 * @param identityPassphraseFile a file holding the key's passphrase, when it has one
 * @param knownHostsFile         this site's known_hosts (required): a host whose key is not in it, or differs, is refused
 * @param workDir                where each pod gets its directory on a VM ({@code <workDir>/<site>/<pod-uid>-<attempt>});
 *                               default {@code .ferry/jobs} under the login user's home
 * @param connectTimeout         how long an SSH connection may take; default 10s
 * @param commandTimeout         how long one remote script (submit, status, cancel, logs) may take; default 60s
 * @param stopGracePeriod        how long a cancelled job gets between SIGTERM and SIGKILL; default 10s
 * @param startTimeout           how long a submitted job may take to start its wrapper before it is failed; default 60s
 * @param hostLostAfter          a host that cannot be reached for this long has its running jobs reported Failed
 *                               (reason HostLost); until then they keep their last known state; default 10m
 * @param retention              finished job directories older than this are deleted from the VMs; default 7d
 * @param pools                  the pools: each a group of hosts with one container runtime (at least one)
 */
public record VmSettings(
        String user,
        String identityFile,
        String identityPassphraseFile,
        String knownHostsFile,
        String workDir,
        Duration connectTimeout,
        Duration commandTimeout,
        Duration stopGracePeriod,
        Duration startTimeout,
        Duration hostLostAfter,
        Duration retention,
        List<PoolSettings> pools) {

    /** The container runtimes a pool can use. */
    public static final List<String> RUNTIMES = List.of("podman", "docker", "apptainer", "host");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,31}");

    public VmSettings {
        if (identityFile == null || identityFile.isBlank()) {
            throw new ConfigException("identityFile", "is required: the private key (ed25519 or RSA) the executor logs in to the VMs with");
        }
        if (knownHostsFile == null || knownHostsFile.isBlank()) {
            throw new ConfigException("knownHostsFile", "is required: this site's known_hosts file; host keys are always verified"
                    + " (fill it with: ssh-keyscan -p PORT HOST >> FILE, after checking the fingerprints)");
        }
        if (user != null && !USER.matcher(user).matches()) {
            throw new ConfigException("user", "must be a user name (letters, digits, '.', '_', '-'), was '" + user + "'");
        }
        workDir = workDir == null || workDir.isBlank() ? ".ferry/jobs" : stripSlash(workDir);
        if (workDir.contains("\0") || workDir.contains("\n") || workDir.equals("/") || List.of(workDir.split("/")).contains("..")) {
            throw new ConfigException("workDir", "must be a directory path without '..', line breaks or NUL, and not '/', was '" + workDir + "'");
        }
        connectTimeout = positive("connectTimeout", connectTimeout, Duration.ofSeconds(10));
        commandTimeout = positive("commandTimeout", commandTimeout, Duration.ofSeconds(60));
        stopGracePeriod = positive("stopGracePeriod", stopGracePeriod, Duration.ofSeconds(10));
        startTimeout = positive("startTimeout", startTimeout, Duration.ofSeconds(60));
        hostLostAfter = positive("hostLostAfter", hostLostAfter, Duration.ofMinutes(10));
        retention = positive("retention", retention, Duration.ofDays(7));
        if (pools == null || pools.isEmpty()) {
            throw new ConfigException("pools", "needs at least one pool, e.g. [{name: cpu, runtime: podman, hosts: [{address: 10.0.0.5}]}]");
        }
        pools = List.copyOf(pools);
        Set<String> poolNames = new HashSet<>();
        Set<String> hostNames = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolSettings pool = pools.get(i);
            if (!poolNames.add(pool.name())) {
                throw new ConfigException("pools[" + i + "].name", "'" + pool.name() + "' is used by two pools");
            }
            for (int j = 0; j < pool.hosts().size(); j++) {
                HostSettings host = pool.hosts().get(j);
                if (!hostNames.add(host.name())) {
                    throw new ConfigException("pools[" + i + "].hosts[" + j + "]", "host '" + host.name()
                            + "' is listed twice (a host belongs to one pool; give it a distinct name to list it again)");
                }
                if (user == null && host.user() == null) {
                    throw new ConfigException("pools[" + i + "].hosts[" + j + "].user", "is required when backend.vm.user is not set");
                }
            }
        }
    }

    /** The pool named {@code name}, if configured. */
    public Optional<PoolSettings> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The login user for {@code host}. */
    public String userOf(HostSettings host) {
        return host.user() != null ? host.user() : user;
    }

    /**
     * One pool: a group of hosts that run pods the same way.
     *
     * @param name           the pool's name (advertised as {@code <site>/<name>})
     * @param runtime        {@code podman}, {@code docker}, {@code apptainer} or {@code host} (the command directly, no image)
     * @param runtimeOptions extra options for every container run, e.g. {@code [--network=host]}
     * @param gpuOptions     options added when a pod requests GPUs; default per runtime ({@code podman}:
     *                       {@code --device nvidia.com/gpu=all}, {@code docker}: {@code --gpus all}, {@code apptainer}: {@code --nv})
     * @param enforceLimits  whether container CPU and memory limits are passed to the runtime ({@code --cpus}, {@code --memory});
     *                       default false (rootless podman on cgroups v1 cannot set them)
     * @param allowHostPath  whether hostPath volumes are mounted; default false (a pod using one fails, naming the setting)
     * @param maxWalltime    the longest activeDeadlineSeconds the pool accepts; advertised; default unlimited
     * @param labels         labels advertised with the pool
     * @param hosts          the pool's VMs (at least one, unless a provisioner supplies them)
     */
    public record PoolSettings(
            String name,
            String runtime,
            List<String> runtimeOptions,
            List<String> gpuOptions,
            Boolean enforceLimits,
            Boolean allowHostPath,
            Duration maxWalltime,
            Map<String, String> labels,
            List<HostSettings> hosts) {

        public PoolSettings {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new ConfigException("name", "is required: letters, digits, '.', '_' and '-' (at most 63), was '" + name + "'");
            }
            runtime = runtime == null ? "podman" : runtime.toLowerCase(Locale.ROOT);
            if (!RUNTIMES.contains(runtime)) {
                throw new ConfigException("runtime", "must be one of " + String.join(", ", RUNTIMES) + ", was '" + runtime + "'");
            }
            runtimeOptions = runtimeOptions == null ? List.of() : List.copyOf(runtimeOptions);
            gpuOptions = gpuOptions == null ? defaultGpuOptions(runtime) : List.copyOf(gpuOptions);
            enforceLimits = enforceLimits != null && enforceLimits;
            allowHostPath = allowHostPath != null && allowHostPath;
            if (maxWalltime != null && (maxWalltime.isZero() || maxWalltime.isNegative())) {
                throw new ConfigException("maxWalltime", "must be positive, was " + maxWalltime);
            }
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            hosts = hosts == null ? List.of() : List.copyOf(hosts);
        }

        /** A pool for tests and tools. */
        public static PoolSettings of(String name, String runtime, List<HostSettings> hosts) {
            return new PoolSettings(name, runtime, null, null, null, null, null, null, hosts);
        }

        public PoolSettings withRuntimeOptions(List<String> options) {
            return new PoolSettings(name, runtime, options, gpuOptions, enforceLimits, allowHostPath, maxWalltime, labels, hosts);
        }

        public PoolSettings withAllowHostPath(boolean allow) {
            return new PoolSettings(name, runtime, runtimeOptions, gpuOptions, enforceLimits, allow, maxWalltime, labels, hosts);
        }

        private static List<String> defaultGpuOptions(String runtime) {
            return switch (runtime) {
                case "podman" -> List.of("--device", "nvidia.com/gpu=all");
                case "docker" -> List.of("--gpus", "all");
                case "apptainer" -> List.of("--nv");
                default -> List.of();
            };
        }
    }

    /**
     * One VM.
     *
     * @param name    how Ferry names it in job ids and pool adverts; default the address (with {@code -PORT} when the port is not 22)
     * @param address host name or IP address
     * @param port    SSH port; default 22
     * @param user    login user; default {@code backend.vm.user}
     */
    public record HostSettings(String name, String address, Integer port, String user) {
        public HostSettings {
            if (address == null || address.isBlank() || !address.matches("[A-Za-z0-9.:\\[\\]_-]+")) {
                throw new ConfigException("address", "is required: a host name or IP address, was '" + address + "'");
            }
            port = port == null ? 22 : port;
            if (port < 1 || port > 65535) {
                throw new ConfigException("port", "must be between 1 and 65535, was " + port);
            }
            if (name == null || name.isBlank()) {
                name = (port == 22 ? address : address + "-" + port).replace(":", "_").replace("[", "").replace("]", "");
            }
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException("name", "must be letters, digits, '.', '_' and '-' (at most 63), was '" + name + "'");
            }
            if (user != null && !USER.matcher(user).matches()) {
                throw new ConfigException("user", "must be a user name (letters, digits, '.', '_', '-'), was '" + user + "'");
            }
        }

        public static HostSettings of(String address, int port) {
            return new HostSettings(null, address, port, null);
        }
    }

    private static String stripSlash(String path) {
        String p = path.strip();
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static Duration positive(String key, Duration value, Duration defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value.isZero() || value.isNegative()) {
            throw new ConfigException(key, "must be positive, was " + value);
        }
        return value;
    }
}
