package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFramesTest {

    static final String DIR = "0b7c6a4e-2f7d-4c1e-9a61-7d1f0f0e5c11-0";

    @Test
    void framesAreTakenByLengthWhateverTheyContain() {
        byte[] nasty = "line\nchunk fake main stdout 0 3\n\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("chunk " + DIR + " main stdout 10 " + nasty.length + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(nasty);
        out.writeBytes("\nchunk ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes((DIR + " side stderr 0 0\n\n").getBytes(StandardCharsets.US_ASCII));
        List<LogFrames.Frame> frames = LogFrames.parse(out.toByteArray());
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).data()).isEqualTo(nasty);
        assertThat(frames.get(0).offset()).isEqualTo(10);
        assertThat(frames.get(0).key()).isEqualTo(DIR + "/main/stdout");
        assertThat(frames.get(1).data()).isEmpty();
    }

    @Test
    void cutShortOutputIsAnError() {
        assertThatThrownBy(() -> LogFrames.parse(("chunk " + DIR + " main stdout 0 10\nabc").getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("cut short");
        assertThatThrownBy(() -> LogFrames.parse("garbage\n".getBytes(StandardCharsets.US_ASCII))).hasMessageContaining("unexpected log header");
    }
}
