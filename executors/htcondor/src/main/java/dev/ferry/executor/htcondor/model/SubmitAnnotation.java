package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.htcondor.HtcondorSettings;
import dev.ferry.executor.model.Printable;
import dev.ferry.executor.spi.BackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@value HtcondorSettings#ANNOTATION} annotation: extra submit commands, one {@code name = value} per
 * line (blank lines and lines starting with {@code #} are skipped), each checked against the site's
 * allow-list. Names compare case-insensitively, as HTCondor's do. A value is one line without
 * {@code $} (so no macro of any kind, submit-time or match-time, can reach HTCondor) and is written
 * as it is: a ClassAd expression or a plain value, as the command expects.
 */
public final class SubmitAnnotation {

    private static final Pattern LINE = Pattern.compile("\\s*((?:\\+|(?i:my\\.))?[A-Za-z_][A-Za-z0-9_.]*)\\s*=(.*)");

    /** Commands whose value Ferry combines with its own expression, so it must be one balanced expression. */
    private static final List<String> EXPRESSIONS = List.of("requirements", "rank");

    private SubmitAnnotation() {
    }

    /** One submit command. */
    public record Command(String name, String value) {
    }

    /**
     * The commands in {@code annotation}, in order.
     *
     * @throws BackendException {@code REJECTED} with pod reason {@code InvalidSubmitCommand} naming the first
     *         line that is malformed or not allowed
     */
    public static List<Command> parse(String annotation, List<String> allowed) throws BackendException {
        if (annotation == null || annotation.isBlank()) {
            return List.of();
        }
        List<Command> commands = new ArrayList<>();
        String[] lines = annotation.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            String where = "line " + (i + 1);
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw invalid(where + " '" + Printable.of(line) + "' is not 'name = value'");
            }
            String name = m.group(1);
            String value = m.group(2).strip();
            if (value.indexOf('$') >= 0) {
                throw invalid(where + " (" + name + "): '$' is not allowed in values (HTCondor would expand it as a macro)");
            }
            if (value.indexOf('\0') >= 0 || value.indexOf('\r') >= 0 || value.endsWith("\\")) {
                throw invalid(where + " (" + name + "): the value has a control character or ends with a backslash");
            }
            if (EXPRESSIONS.contains(name.toLowerCase(Locale.ROOT)) && !balanced(value)) {
                throw invalid(where + " (" + name + "): the parentheses of the expression do not balance");
            }
            if (!isAllowed(name, allowed)) {
                throw BackendException.rejected("InvalidSubmitCommand", "annotation " + HtcondorSettings.ANNOTATION + ": submit command "
                        + name + " is not allowed at this site (allowed: " + String.join(" ", allowed) + ")");
            }
            commands.add(new Command(name, value));
        }
        return List.copyOf(commands);
    }

    /** Whether {@code name} is on the allow-list (and not one Ferry always sets itself). */
    public static boolean isAllowed(String name, List<String> allowed) {
        if (HtcondorSettings.isReserved(name)) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String normal = lower.startsWith("my.") ? "+" + lower.substring(3) : lower;
        for (String a : allowed) {
            String al = a.toLowerCase(Locale.ROOT);
            String an = al.startsWith("my.") ? "+" + al.substring(3) : al;
            if (an.equals(normal)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the parentheses outside string literals balance and never close more than they opened. */
    static boolean balanced(String expression) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth < 0) {
                return false;
            }
        }
        return depth == 0 && !inString;
    }

    private static BackendException invalid(String what) {
        return BackendException.rejected("InvalidSubmitCommand", "annotation " + HtcondorSettings.ANNOTATION + ": " + what);
    }
}
