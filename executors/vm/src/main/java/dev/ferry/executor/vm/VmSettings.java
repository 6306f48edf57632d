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
 * <p>A host whose {@code address} is {@code local} is this machine: its scripts run as local
 * processes of the executor's own user ({@link dev.ferry.executor.vm.local.LocalShell}), with no
 * SSH, in the same job directories (a relative {@code workDir} is under that user's home). When
 * every host of the site is local, {@code identityFile} and {@code knownHostsFile} are not needed;
 * {@link LocalSite} builds such a site for {@code ferry dev}. A local host belongs to a pool of its
 * own, and a site has at most one.
 *
 * @param user                   default login user (required unless every remote host names one)
 * @param identityFile           the private key the executor logs in with (required unless every host is local)
 * @param identityPassphraseFile a file holding the key's passphrase, when it has one
 * @param knownHostsFile         this site's known_hosts (required unless every host is local): a host whose key is not in it,
 *                               or differs, is refused
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
        if (usesSsh(pools) && (identityFile == null || identityFile.isBlank())) {
            throw new ConfigException("identityFile", "is required: the private key (ed25519 or RSA) the executor logs in to the VMs with");
        }
        if (usesSsh(pools) && (knownHostsFile == null || knownHostsFile.isBlank())) {
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
        String localPool = null;
        for (int i = 0; i < pools.size(); i++) {
            PoolSettings pool = pools.get(i);
            if (!poolNames.add(pool.name())) {
                throw new ConfigException("pools[" + i + "].name", "'" + pool.name() + "' is used by two pools");
            }
            if (pool.hosts().stream().anyMatch(HostSettings::isLocal) && !pool.isLocal()) {
                throw new ConfigException("pools[" + i + "].hosts", "pool '" + pool.name() + "' mixes this machine (address: "
                        + HostSettings.LOCAL + ") with remote hosts: put the local host in a pool of its own");
            }
            for (int j = 0; j < pool.hosts().size(); j++) {
                HostSettings host = pool.hosts().get(j);
                if (host.isLocal()) {
                    if (localPool != null) {
                        throw new ConfigException("pools[" + i + "].hosts[" + j + "].address", "'" + HostSettings.LOCAL
                                + "' is already a host of pool '" + localPool + "': this machine can be one host of the site only");
                    }
                    localPool = pool.name();
                }
                if (!hostNames.add(host.name())) {
                    throw new ConfigException("pools[" + i + "].hosts[" + j + "]", "host '" + host.name()
                            + "' is listed twice (a host belongs to one pool; give it a distinct name to list it again)");
                }
                if (user == null && host.user() == null && !host.isLocal()) {
                    throw new ConfigException("pools[" + i + "].hosts[" + j + "].user", "is required when backend.vm.user is not set");
                }
            }
        }
    }

    /**
     * Whether any host is reached over SSH, so that {@code identityFile} and {@code knownHostsFile}
     * are needed: true unless every pool lists hosts and all of them are local (a pool without hosts
     * gets them from a provisioner, which makes VMs).
     */
    public boolean usesSsh() {
        return usesSsh(pools);
    }

    private static boolean usesSsh(List<PoolSettings> pools) {
        return pools == null || pools.isEmpty() || pools.stream().anyMatch(p -> p == null || !p.isLocal());
    }

    /** The pool named {@code name}, if configured. */
    public Optional<PoolSettings> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The login user for a remote {@code host} (a local host runs as the executor's own user). */
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

        /**
         * Whether the pool is this machine: it lists hosts and every one has address {@code local}.
         * Its pods run as local processes of the executor's user (advertised as the label
         * {@code ferry.dev/transport=local}).
         */
        public boolean isLocal() {
            return !hosts.isEmpty() && hosts.stream().allMatch(HostSettings::isLocal);
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
     * One VM, or this machine ({@code address: local}).
     *
     * @param name    how Ferry names it in job ids and pool adverts; default the address (with {@code -PORT} when the port is not 22)
     * @param address host name or IP address, or {@link #LOCAL} for this machine (no SSH: the executor's own user runs the scripts)
     * @param port    SSH port; default 22; not for a local host
     * @param user    login user; default {@code backend.vm.user}; not for a local host
     */
    public record HostSettings(String name, String address, Integer port, String user) {

        /** The address that means this machine, reached without SSH. */
        public static final String LOCAL = "local";

        public HostSettings {
            if (address == null || address.isBlank() || !address.matches("[A-Za-z0-9.:\\[\\]_-]+")) {
                throw new ConfigException("address", "is required: a host name or IP address (or '" + LOCAL
                        + "' for this machine), was '" + address + "'");
            }
            if (LOCAL.equals(address) && port != null) {
                throw new ConfigException("port", "must not be set for address '" + LOCAL + "': pods run on this machine without SSH");
            }
            if (LOCAL.equals(address) && user != null) {
                throw new ConfigException("user", "must not be set for address '" + LOCAL
                        + "': pods on this machine run as the executor's own user");
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

        /** This machine, named {@code local}. */
        public static HostSettings local() {
            return new HostSettings(null, LOCAL, null, null);
        }

        /** Whether this is the machine the executor runs on ({@code address: local}), reached without SSH. */
        public boolean isLocal() {
            return LOCAL.equals(address);
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
