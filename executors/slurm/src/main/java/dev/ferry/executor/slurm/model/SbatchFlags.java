package dev.ferry.executor.slurm.model;

import dev.ferry.executor.model.Printable;
import dev.ferry.executor.model.Shell;
import dev.ferry.executor.spi.BackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * interLink's {@code slurm-job.vk.io/flags} annotation: extra {@code sbatch} options, checked
 * against the site's allow-list. The text is split into words like a shell would, but nothing is
 * expanded; each option becomes one argument ({@code --name=value}) of the {@code sbatch} command
 * line, which no shell ever sees. Short options are mapped to their long names first, so the
 * allow-list speaks only long names.
 */
public final class SbatchFlags {

    /** The annotation's key. */
    public static final String ANNOTATION = "slurm-job.vk.io/flags";

    private static final Map<String, String> SHORT = Map.ofEntries(
            Map.entry("-p", "--partition"), Map.entry("-t", "--time"), Map.entry("-N", "--nodes"), Map.entry("-n", "--ntasks"),
            Map.entry("-c", "--cpus-per-task"), Map.entry("-A", "--account"), Map.entry("-q", "--qos"),
            Map.entry("-C", "--constraint"), Map.entry("-J", "--job-name"), Map.entry("-G", "--gpus"),
            Map.entry("-o", "--output"), Map.entry("-e", "--error"), Map.entry("-D", "--chdir"), Map.entry("-w", "--nodelist"),
            Map.entry("-x", "--exclude"), Map.entry("-d", "--dependency"), Map.entry("-a", "--array"), Map.entry("-i", "--input"),
            Map.entry("-W", "--wait"), Map.entry("-H", "--hold"), Map.entry("-s", "--oversubscribe"), Map.entry("-L", "--licenses"),
            Map.entry("-M", "--clusters"), Map.entry("-k", "--no-kill"), Map.entry("-Q", "--quiet"), Map.entry("-v", "--verbose"),
            Map.entry("-B", "--extra-node-info"), Map.entry("-F", "--nodefile"), Map.entry("-m", "--distribution"),
            Map.entry("-S", "--core-spec"), Map.entry("-V", "--version"), Map.entry("-h", "--help"), Map.entry("-b", "--begin"),
            Map.entry("-I", "--immediate"), Map.entry("-O", "--overcommit"), Map.entry("-R", "--no-requeue"));

    private SbatchFlags() {
    }

    /**
     * The options in {@code annotation}, each as one {@code sbatch} argument.
     *
     * @throws BackendException {@code REJECTED} with pod reason {@code InvalidFlag} naming the first
     *         flag that is malformed or not allowed
     */
    public static List<String> parse(String annotation, List<String> allowed) throws BackendException {
        if (annotation == null || annotation.isBlank()) {
            return List.of();
        }
        if (annotation.indexOf('\0') >= 0) {
            throw invalid("contains a NUL character");
        }
        Shell.Words words = Shell.words(annotation);
        if (!words.ok()) {
            throw invalid("is malformed: " + words.error().orElseThrow());
        }
        List<String> out = new ArrayList<>();
        List<String> w = words.words();
        for (int i = 0; i < w.size(); i++) {
            String word = w.get(i);
            if (word.equals("#SBATCH")) {
                continue;
            }
            String name;
            String value = null;
            if (word.startsWith("--")) {
                int eq = word.indexOf('=');
                name = eq < 0 ? word : word.substring(0, eq);
                if (eq >= 0) {
                    value = word.substring(eq + 1);
                } else if (i + 1 < w.size() && !w.get(i + 1).startsWith("-") && !w.get(i + 1).equals("#SBATCH")) {
                    value = w.get(++i);
                }
            } else if (word.startsWith("-") && word.length() >= 2 && Character.isLetter(word.charAt(1))) {
                String shortName = word.substring(0, 2);
                name = SHORT.get(shortName);
                if (name == null) {
                    throw invalid("uses " + shortName + ", which Ferry does not know: write the long form (--name=value)");
                }
                if (word.length() > 2) {
                    value = word.substring(2).startsWith("=") ? word.substring(3) : word.substring(2);
                } else if (i + 1 < w.size() && !w.get(i + 1).startsWith("-")) {
                    value = w.get(++i);
                }
            } else {
                throw invalid("has '" + Printable.of(word) + "' where a flag (--name=value) was expected");
            }
            if (!name.matches("--[a-z][a-z0-9-]*")) {
                throw invalid("has a malformed flag '" + Printable.of(name) + "'");
            }
            if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
                throw invalid("flag " + name + " has a line break in its value");
            }
            if (!isAllowed(name, allowed)) {
                throw BackendException.rejected("InvalidFlag", "annotation " + ANNOTATION + ": flag " + name
                        + " is not allowed at this site (allowed: " + String.join(" ", allowed) + ")");
            }
            out.add(value == null ? name : name + "=" + value);
        }
        return List.copyOf(out);
    }

    /** Whether {@code flag} (a long name) matches an entry of the allow-list; {@code --ntasks*} matches a prefix. */
    public static boolean isAllowed(String flag, List<String> allowed) {
        for (String a : allowed) {
            if (a.endsWith("*") ? flag.startsWith(a.substring(0, a.length() - 1)) : flag.equals(a)) {
                return true;
            }
        }
        return false;
    }

    private static BackendException invalid(String what) {
        return BackendException.rejected("InvalidFlag", "annotation " + ANNOTATION + " " + what);
    }
}
