package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobStatesTest {

    static final String DIR = "0b7c6a4e-2f7d-4c1e-9a61-7d1f0f0e5c11-0";

    static JobStatus map(String lines, long now) {
        StatusReport r = StatusReport.parse(lines);
        return JobStates.map(r.jobs().get(DIR), "vm-1", Duration.ofSeconds(60), now).orElse(null);
    }

    @Test
    void startingIsPendingUntilTheStartTimeout() {
        String line = "job " + DIR + " state=starting sub=1000\nctr " + DIR + " main main start= code= end=\n";
        JobStatus pending = map(line, 30_000);
        assertThat(pending.phase()).isEqualTo(JobPhase.PENDING);
        assertThat(pending.message()).isEqualTo("starting on host vm-1");
        assertThat(pending.containers()).singleElement().satisfies(c -> assertThat(c.reason()).isEqualTo("ContainerCreating"));
        JobStatus failed = map(line, 62_000);
        assertThat(failed.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(failed.reason()).isEqualTo("StartFailed");
    }

    @Test
    void runningReportsEachContainer() {
        JobStatus s = map("job " + DIR + " state=running start=2000\nctr " + DIR + " init a start=2001 code=0 end=2002\nctr " + DIR
                + " main b start=2003 code= end=\nctr " + DIR + " main c start=2003 code=1 end=2500\n", 3000);
        assertThat(s.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(s.startedAt()).contains(Instant.ofEpochMilli(2000));
        assertThat(s.initContainers()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.TERMINATED));
        assertThat(s.containers()).extracting(ContainerStatusInfo::state)
                .containsExactly(ContainerStatusInfo.State.RUNNING, ContainerStatusInfo.State.TERMINATED);
        assertThat(s.finishedAt()).isEmpty();
    }

    @Test
    void theOutcomeComesFromTheMarkersFirstThenTheExitCode() {
        assertThat(map("job " + DIR + " state=finished code=0 end=9\n", 10).phase()).isEqualTo(JobPhase.SUCCEEDED);
        JobStatus cancelled = map("job " + DIR + " state=finished code=0 end=9 cancelled=8\n", 10);
        assertThat(cancelled.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(cancelled.reason()).isEqualTo("Cancelled");
        JobStatus deadline = map("job " + DIR + " state=finished code=143 end=9 deadline=8\n", 10);
        assertThat(deadline.reason()).isEqualTo("DeadlineExceeded");
        assertThat(deadline.signal()).contains(15);
        JobStatus error = map("job " + DIR + " state=finished code=2 end=9\nctr " + DIR + " init a start=1 code=0 end=2\nctr " + DIR
                + " main b start=3 code=2 end=9\n", 10);
        assertThat(error.reason()).isEqualTo("Error");
        assertThat(error.message()).isEqualTo("container b exited with code 2");
        assertThat(error.finishedAt()).contains(Instant.ofEpochMilli(9));
    }

    @Test
    void aWrapperThatVanishedWasKilled() {
        JobStatus s = map("job " + DIR + " state=vanished start=5\nctr " + DIR + " main main start=6 code= end=\n", 10);
        assertThat(s.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(s.reason()).isEqualTo("Killed");
        assertThat(s.message()).contains("ended without recording an exit code");
        assertThat(s.containers()).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.TERMINATED);
            assertThat(c.signal()).contains(9);
        });
        assertThat(map("job " + DIR + " state=vanished cancelled=7\n", 10).reason()).isEqualTo("Cancelled");
        assertThat(map("job " + DIR + " state=missing\n", 10)).isNull();
    }

    @Test
    void exitCodesAboveOneHundredTwentyEightAreSignals() {
        assertThat(JobStates.describe(137)).isEqualTo("was killed by signal 9 (SIGKILL)");
        assertThat(JobStates.describe(139)).isEqualTo("was killed by signal 11 (SIGSEGV)");
        assertThat(JobStates.describe(128)).isEqualTo("exited with code 128");
        assertThat(JobStates.describe(255)).isEqualTo("exited with code 255");
    }
}
