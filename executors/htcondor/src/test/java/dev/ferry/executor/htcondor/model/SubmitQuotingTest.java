package dev.ferry.executor.htcondor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SubmitQuotingTest {

    /** What condor_submit would expand: a '$' (or a macro function name after one) right before '('. */
    static final Pattern MACRO = Pattern.compile("\\$[A-Za-z_]*\\(");

    @Test
    void theNewSyntaxKeepsAShellScriptOneArgument() {
        // the naive old syntax, -c 'exit 3', passes 'exit and 3' as two words and sh exits 2
        assertThat(SubmitQuoting.arguments(List.of("-c", "exit 3"))).isEqualTo("\"'-c' 'exit 3'\"");
        assertThat(SubmitQuoting.parseArguments("\"'-c' 'exit 3'\"")).containsExactly("-c", "exit 3");
    }

    @Test
    void quotesAreDoubledTheWayHtcondorReadsThem() {
        assertThat(SubmitQuoting.word("it's")).isEqualTo("'it''s'");
        assertThat(SubmitQuoting.word("say \"hi\"")).isEqualTo("'say \"\"hi\"\"'");
        assertThat(SubmitQuoting.word("")).isEqualTo("''");
    }

    @Test
    void everyParenthesisIsWrittenOutsideTheQuotesSoNoMacroCanForm() {
        assertThat(SubmitQuoting.word("$(Cluster)")).isEqualTo("'$'('Cluster)'");
        assertThat(SubmitQuoting.word("$ENV(HOME)")).isEqualTo("'$ENV'('HOME)'");
        assertThat(SubmitQuoting.parseArguments("\"" + SubmitQuoting.word("$(Cluster)") + "\"")).containsExactly("$(Cluster)");
    }

    @Test
    void hostileWordsRoundTripAndNeverFormAMacro() {
        List<String> words = new ArrayList<>(Hostile.carryable("/tmp/ferry-marker"));
        String text = SubmitQuoting.arguments(words);
        assertThat(SubmitQuoting.parseArguments(text)).containsExactlyElementsOf(words);
        assertThat(MACRO.matcher(text).find()).as(text).isFalse();
        assertThat(text).doesNotContain("$$(").doesNotContain("\n").doesNotContain("\r");
        // the value starts and ends the line's value: nothing after the closing quote
        assertThat(text).startsWith("\"").endsWith("\"");
        assertThat(text.substring(1, text.length() - 1).replace("\"\"", "")).doesNotContain("\"");
    }

    @Test
    void environmentValuesAreQuotedTheSameWay() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("A", "x y");
        env.put("B", "it's");
        env.put("C", "$(Cluster)");
        env.put("D", "");
        String text = SubmitQuoting.environment(env);
        assertThat(text).isEqualTo("\"A='x y' B='it''s' C='$'('Cluster)' D=''\"");
        assertThat(MACRO.matcher(text).find()).isFalse();
        assertThatThrownBy(() -> SubmitQuoting.environment(Map.of("A B", "x"))).hasMessageContaining("not a variable name");
    }

    @Test
    void whatASubmitDescriptionCannotCarryIsNamed() {
        for (String s : Hostile.launcherOnly("/tmp/m")) {
            assertThat(SubmitQuoting.unsupported(s)).as(s).isPresent();
            assertThatThrownBy(() -> SubmitQuoting.word(s)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SubmitQuoting.unsupported("a\nb")).contains("contains a line break");
        assertThat(SubmitQuoting.unsupported("a\0b")).contains("contains a NUL character");
        assertThat(SubmitQuoting.unsupported("$$(Name)").orElseThrow()).contains("'$$('");
        assertThat(SubmitQuoting.unsupported("$$ and $(x)")).isEmpty();
    }

    @Test
    void classAdStringsTakeOnlyFerrysOwnCharacters() {
        assertThat(SubmitQuoting.classAdString("default/pod-1")).isEqualTo("\"default/pod-1\"");
        assertThatThrownBy(() -> SubmitQuoting.classAdString("a\" || true || \"")).isInstanceOf(IllegalArgumentException.class);
    }
}
