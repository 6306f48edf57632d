package dev.ferry.executor.vm.model;

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
                "| touch " + marker,
                "it's \"quoted\" '$(touch " + marker + ")'",
                "line one\ntouch " + marker + "\nline three",
                "'; touch " + marker + "; echo '",
                "\"; touch " + marker + "; echo \"",
                "$HOME ${PATH:-x} \\ * ? [ab] ~ > " + marker,
                "FERRY_EOF\ntouch " + marker + "\nFERRY_LIST",
                "-rf --help",
                "\u00e9\u00e8 unicode \t tab");
    }
}
