package dev.ferry.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.regex.Pattern;

/** A file of {@code export KEY=VALUE} lines that another shell can {@code source}. */
final class EnvFile {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:,@%+=-]+");

    private EnvFile() {
    }

    /** The file's text: a comment line, then one {@code export} per variable, values quoted where the shell needs it. */
    static String render(String comment, Map<String, String> variables) {
        StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
        variables.forEach((name, value) -> text.append("export ").append(name).append('=').append(quote(value))
                .append('\n'));
        return text.toString();
    }

    static String quote(String value) {
        return PLAIN.matcher(value).matches() ? value : "'" + value.replace("'", "'\\''") + "'";
    }

    /** Writes the file whole (a reader never sees half of it). */
    static void write(Path file, String text) {
        try {
            Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
