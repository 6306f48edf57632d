package dev.ferry.cli;

import dev.ferry.executor.vm.LocalSite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one site {@code ferry dev} runs: which backend, and its {@code site.yaml}. With {@code auto}, a local Slurm
 * that answers {@code sinfo} is used (jobs really go through slurmctld); otherwise pods run as local processes
 * through the VM backend's local transport with the {@code host} runtime: no SSH, no container, no isolation, the
 * user's own account. Which one it is, is printed.
 */
public final class DevSite {

    /** Which backend the dev site uses. */
    public enum Kind {
        AUTO, SLURM, LOCAL;

        static Kind parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("must be auto, slurm or local, was '" + value + "'");
            }
        }
    }

    static final String KEY_ID = "dev";

    private DevSite() {
    }

    /** {@link Kind#SLURM} when asked for, or when {@code auto} and {@code sinfo} answers within 5 s; else local. */
    static Kind resolve(Kind kind, Map<String, String> environment) {
        if (kind != Kind.AUTO) {
            return kind;
        }
        return slurmAnswers(environment) ? Kind.SLURM : Kind.LOCAL;
    }

    static String describe(Kind kind) {
        return kind == Kind.SLURM ? "Slurm on this machine (sbatch/squeue; runtime host)"
                : "local processes (VM backend, local transport, runtime host: no isolation)";
    }

    private static boolean slurmAnswers(Map<String, String> environment) {
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of("sinfo", "-h", "-o", "%t"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(environment);
            Process sinfo = builder.start();
            if (!sinfo.waitFor(5, TimeUnit.SECONDS)) {
                sinfo.destroyForcibly();
                return false;
            }
            return sinfo.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A fresh random 32-byte key, base64, in a file only the user can read: the gateway seals, the site opens. */
    static String newKey(Path file) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String base64 = Base64.getEncoder().encodeToString(key);
        writePrivate(file, base64 + "\n");
        return base64;
    }

    /** Writes {@code text} to a file only the user can read (it holds the key). */
    static void writePrivate(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The site's YAML: Kafka, registry, topic prefix, the key, and the backend's section. */
    static String yaml(String site, Kind kind, Path dir, String bootstrap, String registryUrl, String topicPrefix,
                       String key, Map<String, String> environment) {
        String backend = kind == Kind.SLURM
                ? "backend:\n  type: slurm\n  environment:\n    SLURM_CONF: " + quoted(environment.getOrDefault(
                "SLURM_CONF", "/etc/slurm/slurm.conf")) + "\n  slurm:\n    workDir: " + quoted(dir.resolve("jobs")
                .toString()) + "\n    runtime: host\n"
                : LocalSite.backendYaml(dir.resolve("jobs"));
        return "# written by ferry dev; deleted when it stops\n"
                + "site: " + site + "\n"
                + "kafka:\n  bootstrapServers: " + quoted(bootstrap) + "\n"
                + "registry:\n  url: " + quoted(registryUrl) + "\n"
                + "topics:\n  prefix: " + quoted(topicPrefix) + "\n"
                + "executor:\n  pollInterval: 250ms\n"
                + "secrets:\n  keys:\n    " + KEY_ID + ": " + quoted(key) + "\n"
                + backend;
    }

    /** A YAML single-quoted scalar. */
    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
