package dev.ferry.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellTest {

    @Test
    void quotesIntoOneSingleQuotedWord() {
        assertThat(Shell.quote("plain")).isEqualTo("'plain'");
        assertThat(Shell.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(Shell.quote("$(id)`id`;\n")).isEqualTo("'$(id)`id`;\n'");
        assertThat(Shell.quote("")).isEqualTo("''");
        assertThatThrownBy(() -> Shell.quote("a\0b")).hasMessageContaining("NUL");
    }

    @Test
    void splitsWordsWithoutExpanding() {
        assertThat(Shell.words("--a=1  --b 'two words' \"x\\\"y\" $(id) `id` a\\ b").words())
                .containsExactly("--a=1", "--b", "two words", "x\"y", "$(id)", "`id`", "a b");
        assertThat(Shell.words("").words()).isEmpty();
        assertThat(Shell.words("'open").error()).hasValueSatisfying(e -> assertThat(e).contains("unclosed single quote"));
        assertThat(Shell.words("\"open").error()).hasValueSatisfying(e -> assertThat(e).contains("unclosed double quote"));
        assertThat(Shell.words("a\\").error()).hasValueSatisfying(e -> assertThat(e).contains("trailing backslash"));
        assertThat(Shell.quoteAll(List.of("a", "b c"))).isEqualTo("'a' 'b c'");
    }
}
