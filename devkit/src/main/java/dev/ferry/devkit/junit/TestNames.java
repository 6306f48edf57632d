package dev.ferry.devkit.junit;

import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names that no other test (in this run or another one on a shared broker or registry) uses: topic names,
 * consumer group and application ids, schema subjects.
 */
public final class TestNames {

    private TestNames() {
    }

    /** {@code base} plus a dash and 8 random hex characters, e.g. {@code pod-intents-3fa94c1e}. */
    public static String unique(String base) {
        Objects.requireNonNull(base, "base");
        if (base.isBlank()) {
            throw new IllegalArgumentException("base is blank");
        }
        return base + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }
}
