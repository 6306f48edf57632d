package dev.ferry.gateway.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.LogChunk;
import dev.ferry.events.LogStream;
import dev.ferry.events.PodRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkAssemblerTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private final ChunkAssembler assembler = new ChunkAssembler("main");

    /** A chunk of container {@code container}'s stream at {@code offset}, read {@code second}s after T0. */
    static LogChunk chunk(String container, int attempt, LogStream stream, long offset, String data, int second,
                          boolean eof) {
        return LogChunk.newBuilder()
                .setPod(PodRef.newBuilder().setNamespace("default").setName("hello").setUid("uid-1").build())
                .setContainer(container).setStream(stream).setAttempt(attempt).setOffset(offset)
                .setData(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8))).setAt(T0.plusSeconds(second))
                .setEof(eof).build();
    }

    private static LogChunk out(long offset, String data, int second) {
        return chunk("main", 0, LogStream.STDOUT, offset, data, second, false);
    }

    private List<String> feed(LogChunk... chunks) {
        List<String> lines = new ArrayList<>();
        for (LogChunk c : chunks) {
            for (LogLine line : assembler.accept(c).lines()) {
                lines.add(line.at().getEpochSecond() - T0.getEpochSecond() + ":"
                        + new String(line.bytes(), StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    @Test
    void cutsAtNewlinesAndStampsEachLineWithTheChunkItBeganIn() {
        assertThat(feed(out(0, "one\ntw", 1), out(6, "o\nthree\n", 2)))
                .containsExactly("1:one\n", "1:two\n", "2:three\n");
    }

    @Test
    void bytesSeenBeforeAreDroppedByOffsetAlsoWhenTheyOverlap() {
        assertThat(feed(out(0, "one\n", 1), out(4, "two\n", 2),
                out(0, "one\ntwo\n", 3), // the executor restarted and ships again from 0
                out(6, "o\nthree\n", 4))) // overlaps: "o\n" seen, "three\n" new
                .containsExactly("1:one\n", "2:two\n", "4:three\n");
    }

    @Test
    void stdoutAndStderrInterleaveByWholeLines() {
        assertThat(feed(out(0, "out-a", 1), chunk("main", 0, LogStream.STDERR, 0, "err\n", 2, false),
                out(5, "\n", 3))).containsExactly("2:err\n", "1:out-a\n");
    }

    @Test
    void theOutputEndsWhenBothStreamsEndAndTheLastPieceIsKept() {
        feed(out(0, "no newline", 1));
        assertThat(assembler.ended()).isFalse();
        assertThat(feed(chunk("main", 0, LogStream.STDOUT, 10, "", 2, true))).containsExactly("1:no newline");
        assertThat(assembler.ended()).as("stderr has not ended").isFalse();
        feed(chunk("main", 0, LogStream.STDERR, 0, "", 2, true));
        assertThat(assembler.ended()).isTrue();
    }

    @Test
    void aHigherAttemptReplacesTheEarlierAndALowerOneIsIgnored() {
        feed(out(0, "first try\n", 1));
        ChunkAssembler.Accepted second = assembler.accept(chunk("main", 1, LogStream.STDOUT, 0, "second\n", 2, false));

        assertThat(second.reset()).isTrue();
        assertThat(second.lines()).hasSize(1);
        assertThat(feed(out(10, "late from the first\n", 3))).isEmpty();
        assertThat(feed(chunk("main", 1, LogStream.STDOUT, 7, "more\n", 4, false))).containsExactly("4:more\n");
    }

    @Test
    void otherContainersAreIgnoredAndPartialsCanBeTaken() {
        assertThat(feed(chunk("side", 0, LogStream.STDOUT, 0, "side\n", 1, false), out(0, "half", 2))).isEmpty();
        assertThat(assembler.partials()).extracting(l -> new String(l.bytes(), StandardCharsets.UTF_8))
                .containsExactly("half");
    }
}
