package dev.ferry.executor.htcondor.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values written into a submit description so that HTCondor hands them to the job byte for byte,
 * whatever they contain. Two layers interpret a value on its way to the job, and both are defused:
 *
 * <ol>
 *   <li><b>Argument and environment syntax</b> (the "new" syntax, chosen by enclosing the whole value
 *       in double quotes): whitespace separates words, a single-quoted section keeps whitespace, a
 *       single quote inside it is written twice ({@code ''}), and a double quote anywhere is written
 *       twice ({@code ""}). Without the enclosing double quotes the old syntax applies, where single
 *       quotes are literal: a naive {@code arguments = -c 'exit 3'} runs {@code sh} with the three
 *       words {@code -c}, {@code 'exit}, {@code 3'} and exits 2. Every word is written as one
 *       single-quoted section.</li>
 *   <li><b>Macro expansion</b> by {@code condor_submit}: {@code $(Name)}, {@code $ENV(Name)},
 *       {@code $RANDOM_INTEGER(...)} and their kin are expanded in every value, and the literal-dollar
 *       escape {@code $(DOLLAR)} is itself re-expanded when followed by {@code (DOLLAR)}, so it cannot
 *       be relied on. All of these need a {@code (} right after the macro name; here every {@code (}
 *       of a value is written outside the single-quoted section ({@code 'a$'('b'} for {@code a$(b}),
 *       so the text {@code condor_submit} sees never has a {@code (} after a letter or a {@code $}, and
 *       nothing expands. The argument syntax joins the pieces again.</li>
 * </ol>
 *
 * <p>What cannot be carried this way is found by {@link #unsupported}: line breaks and NUL (a submit
 * description is line based) and {@code $$(} (the schedd expands {@code $$(Attr)} at match time in
 * every attribute of the job). Pods with such values run through Ferry's launcher instead, which
 * reads them from files.
 */
public final class SubmitQuoting {

    private SubmitQuoting() {
    }

    /** Why {@code value} cannot be written into a submit description, if it cannot. */
    public static Optional<String> unsupported(String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            return Optional.of("contains a line break");
        }
        if (value.indexOf('\0') >= 0) {
            return Optional.of("contains a NUL character");
        }
        if (value.contains("$$(")) {
            return Optional.of("contains '$$(', which the schedd would expand when the job starts");
        }
        return Optional.empty();
    }

    /**
     * One word in the new argument syntax, as a single-quoted section with every {@code (} outside it.
     *
     * @throws IllegalArgumentException when {@link #unsupported} has a reason
     */
    public static String word(String value) {
        unsupported(value).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        // order matters: quotes are doubled first, then the quotes around each '(' are added
        String body = value.replace("'", "''").replace("\"", "\"\"").replace("(", "'('");
        return "'" + body + "'";
    }

    /** The value of an {@code arguments} command: the words in the new syntax, in double quotes. */
    public static String arguments(List<String> words) {
        StringBuilder out = new StringBuilder("\"");
        for (String w : words) {
            if (out.length() > 1) {
                out.append(' ');
            }
            out.append(word(w));
        }
        return out.append('"').toString();
    }

    /**
     * The value of an {@code environment} command in the new syntax: {@code "NAME='value' ..."}.
     * Names must already be valid variable names (letters, digits, '_').
     */
    public static String environment(Map<String, String> variables) {
        StringBuilder out = new StringBuilder("\"");
        for (Map.Entry<String, String> e : variables.entrySet()) {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("'" + e.getKey() + "' is not a variable name");
            }
            if (out.length() > 1) {
                out.append(' ');
            }
            out.append(e.getKey()).append('=').append(word(e.getValue()));
        }
        return out.append('"').toString();
    }

    /** A ClassAd string literal for a value Ferry controls (identity fields): only letters, digits and {@code ._/,-}. */
    public static String classAdString(String value) {
        if (!value.matches("[A-Za-z0-9._/,-]*")) {
            throw new IllegalArgumentException("'" + value + "' has characters that Ferry does not write into ClassAd strings");
        }
        return "\"" + value + "\"";
    }

    /**
     * Splits a value written with {@link #arguments} the way HTCondor's new argument syntax does; for
     * tests, and to show what the job will receive. Accepts only the double-quoted new syntax.
     *
     * @throws IllegalArgumentException when the text is not in that syntax
     */
    public static List<String> parseArguments(String text) {
        if (text.length() < 2 || text.charAt(0) != '"' || text.charAt(text.length() - 1) != '"') {
            throw new IllegalArgumentException("not in the new syntax (enclosed in double quotes): " + text);
        }
        String s = text.substring(1, text.length() - 1);
        List<String> words = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    word.append('"');
                    inWord = true;
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("a single double quote at " + i + " ends the value early");
            }
            if (quoted) {
                if (c == '\'') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                        word.append('\'');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    word.append(c);
                }
            } else if (c == '\'') {
                quoted = true;
                inWord = true;
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unclosed single quote");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }
}
