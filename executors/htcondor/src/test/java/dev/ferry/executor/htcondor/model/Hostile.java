package dev.ferry.executor.htcondor.model;

import java.util.List;

/**
 * Strings that would do something if a shell or HTCondor's submit language ever interpreted them: each
 * would create {@code marker}, read the submitter's environment, expand a macro, end the value early
 * or add a submit command of its own.
 */
public final class Hostile {
    private Hostile() {
    }

    /** Values a submit description can carry (see {@link SubmitQuoting#unsupported}). */
    public static List<String> carryable(String marker) {
        return List.of(
                "$(touch " + marker + ")",
                "`touch " + marker + "`",
                "; touch " + marker,
                "&& touch " + marker + " || touch " + marker,
                "it's \"quoted\" '$(touch " + marker + ")'",
                "'; touch " + marker + "; echo '",
                "$(Cluster) $(Process) $(DOLLAR) $(DOLLAR)(DOLLAR)",
                "$ENV(HOME) $ENV(PATH)",
                "$RANDOM_INTEGER(1,9) $INT(3) $F(x) $CHOICE(0,a,b)",
                "$$ $$$ $ ( $[1+1] $$[1+1] a$",
                "\" queue executable = /bin/touch \"\"",
                "'' \"\" ''' \"\"\" '(' ((",
                "\\ \\' \\\" trailing\\",
                "+PodUID = \"someone-else\"",
                "include : /etc/passwd",
                "#comment",
                "x=$(id)",
                "",
                "  leading and trailing  ",
                "\u00e9\u00e8 unicode \t tab");
    }

    /** Values only the launcher can carry. */
    public static List<String> launcherOnly(String marker) {
        return List.of(
                "line one\nqueue\nexecutable = /bin/touch\narguments = " + marker,
                "cr\rhere",
                "$$(Name) $$([1+1])");
    }
}
