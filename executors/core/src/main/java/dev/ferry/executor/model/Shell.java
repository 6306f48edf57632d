package dev.ferry.executor.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * POSIX shell quoting, and splitting of option strings into words without any expansion. Every
 * user-controlled string that ends up in a generated script goes through {@link #quote}, which
 * makes it one literal word whatever it contains ({@code $(...)}, backticks, {@code ;}, newlines,
 * quotes): it is wrapped in single quotes, inside which a shell interprets nothing, and each
 * single quote in it is written as {@code '\''}.
 */
public final class Shell {

    private Shell() {
    }

    /**
     * {@code value} as one literal shell word.
     *
     * @throws IllegalArgumentException if it contains a NUL character, which no shell word can hold
     */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("contains a NUL character, which cannot be passed to a program");
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Each value quoted, separated by spaces. */
    public static String quoteAll(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (String value : values) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(quote(value));
        }
        return out.toString();
    }

    /**
     * Splits an option string the way a shell splits words, but expands nothing: whitespace
     * separates words, single quotes keep everything literal, double quotes keep everything
     * literal except {@code \"} and {@code \\}, a backslash outside quotes escapes the next
     * character. {@code $}, backticks, {@code ;}, {@code |}, globs stay as they are, as plain
     * characters of a word.
     *
     * @return the words, or an error message naming what is malformed (unclosed quote, trailing backslash)
     */
    public static Words words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    return Words.error("unclosed single quote at character " + (i + 1));
                }
                word.append(text, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                int j = i + 1;
                boolean closed = false;
                while (j < text.length()) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < text.length() && (text.charAt(j + 1) == '"' || text.charAt(j + 1) == '\\')) {
                        word.append(text.charAt(j + 1));
                        j += 2;
                    } else if (d == '"') {
                        closed = true;
                        break;
                    } else {
                        word.append(d);
                        j++;
                    }
                }
                if (!closed) {
                    return Words.error("unclosed double quote at character " + (i + 1));
                }
                inWord = true;
                i = j + 1;
            } else if (c == '\\') {
                if (i + 1 >= text.length()) {
                    return Words.error("trailing backslash");
                }
                char next = text.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return new Words(List.copyOf(words), Optional.empty());
    }

    /** The result of {@link #words}: the words, or why the text is malformed. */
    public record Words(List<String> words, Optional<String> error) {
        static Words error(String message) {
            return new Words(List.of(), Optional.of(message));
        }

        public boolean ok() {
            return error.isEmpty();
        }
    }
}
