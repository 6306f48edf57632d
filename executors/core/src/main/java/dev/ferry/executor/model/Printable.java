package dev.ferry.executor.model;

/** A user's string as it may appear in an error message: at most 60 characters, control characters visible. */
public final class Printable {

    private static final int MAX = 60;

    private Printable() {
    }

    /** {@code s} cut to 60 characters (then {@code ...}), with line breaks, tabs and NUL written as escapes. */
    public static String of(String s) {
        String t = s.length() > MAX ? s.substring(0, MAX) + "..." : s;
        return t.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t").replace("\0", "\\0");
    }
}
