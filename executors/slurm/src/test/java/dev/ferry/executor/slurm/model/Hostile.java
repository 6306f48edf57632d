package dev.ferry.executor.slurm.model;

import java.util.List;

/** Strings that would do something if a shell ever interpreted them; each would create {@code marker}. */
public final class Hostile {
    private Hostile() {
    }

    public static List<String> strings(String marker) {
        return List.of(
                "$(touch " + marker + ")",
                "`touch " + marker + "`",
                "; touch " + marker,
                "&& touch " + marker + " || touch " + marker,
                "it's \"quoted\" '$(touch " + marker + ")'",
                "line one\n#SBATCH --wrap='touch " + marker + "'\ntouch " + marker,
                "--wrap=touch " + marker,
                "$HOME ${PATH:-x} \\ * ? [ab] ~ > " + marker,
                "'; touch " + marker + "; echo '",
                "\u00e9\u00e8 unicode \t tab");
    }
}
