package dev.ferry.executor.htcondor.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Real outputs of HTCondor's tools, captured by {@code scripts/capture-outputs.sh} from the chroot
 * HTCondor of {@code scripts/local-htcondor.sh} and stored per version under
 * {@code src/test/resources/htcondor-<version>/}: {@code NAME.stdout}, {@code NAME.stderr}, {@code NAME.exit}.
 */
record CapturedOutputs(String version) {

    static final CapturedOutputs V23_9_6 = new CapturedOutputs("23.9.6");

    String stdout(String name) {
        return read(name + ".stdout");
    }

    String stderr(String name) {
        return read(name + ".stderr");
    }

    int exit(String name) {
        return Integer.parseInt(read(name + ".exit").strip());
    }

    private String read(String file) {
        String path = "/htcondor-" + version + "/" + file;
        try (InputStream in = CapturedOutputs.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no captured output " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
