package dev.ferry.executor.slurm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Outputs captured from Slurm 22.05.8 (Debian 12) with the formats the backend uses. */
class SlurmStatesTest {

    @Test
    void squeueRowsAndOnlyWellFormedOnes() {
        String out = "7|PENDING|Resources|1:00|uid-a|ferry:v1:site=s:ns=n:pod=p:attempt=0:pool=debug\n"
                + "8|RUNNING|None|UNLIMITED|uid-b|\n"
                + "9|RUNNING|None|UNLIMITED|name|with|pipes|comment\n";
        assertThat(SlurmStates.parseSqueue(out)).extracting(SlurmStates.QueueRow::jobId).containsExactly("7", "8");
        assertThat(SlurmStates.parseSqueue(out).get(0).comment()).startsWith("ferry:v1:");
    }

    @Test
    void scontrolLineWithSpacesInValues() {
        String line = "JobId=1 JobName=uid-a UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 "
                + "RunTime=00:00:00 TimeLimit=00:01:00 StartTime=2026-11-26T12:35:04 EndTime=2026-11-26T12:35:05 "
                + "WorkDir=/tmp/dir with space StdErr=/tmp/t1/out Power=";
        Map<String, String> f = SlurmStates.parseScontrol(line);
        assertThat(f).containsEntry("JobState", "FAILED").containsEntry("ExitCode", "3:0").containsEntry("TimeLimit", "00:01:00")
                .containsEntry("WorkDir", "/tmp/dir with space").containsEntry("Power", "");
    }

    @Test
    void sacctFromJobcomp() {
        String out = "3|uid-d|FAILED|0:53\n1|uid-a|FAILED|3:0\n2|uid-b|CANCELLED by 0|0:0\n2.batch|batch|CANCELLED|0:15\n";
        Map<String, SlurmStates.AccountingRow> rows = SlurmStates.parseSacct(out);
        assertThat(rows).containsOnlyKeys("1", "2", "3");
        assertThat(rows.get("2").state()).isEqualTo("CANCELLED");
    }

    @Test
    void theStateDecidesNotTheExitCode() {
        JobStatus cancelled = SlurmStates.map("CANCELLED", "None", SlurmStates.ExitCode.parse("0:0"), "UNLIMITED", Optional.empty(), Optional.empty());
        assertThat(cancelled.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(cancelled.reason()).isEqualTo("Cancelled");
        assertThat(cancelled.message()).isEqualTo("cancelled");

        JobStatus timeout = SlurmStates.map("TIMEOUT", "TimeLimit", SlurmStates.ExitCode.parse("0:0"), "00:10:00", Optional.empty(), Optional.empty());
        assertThat(timeout.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(timeout.reason()).isEqualTo("DeadlineExceeded");
        assertThat(timeout.message()).startsWith("TIMEOUT after 00:10:00");

        JobStatus failed = SlurmStates.map("FAILED", "NonZeroExitCode", SlurmStates.ExitCode.parse("3:0"), "", Optional.empty(), Optional.empty());
        assertThat(failed.exitCode()).contains(3);
        assertThat(failed.message()).isEqualTo("exited with code 3");

        JobStatus killed = SlurmStates.map("FAILED", "", SlurmStates.ExitCode.parse("0:9"), "", Optional.empty(), Optional.empty());
        assertThat(killed.signal()).contains(9);

        assertThat(SlurmStates.map("COMPLETED", "None", Optional.empty(), "", Optional.empty(), Optional.empty()).phase()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(SlurmStates.map("PENDING", "Priority", Optional.empty(), "", Optional.empty(), Optional.empty()).message()).contains("Priority");
        assertThat(SlurmStates.map("COMPLETING", "None", Optional.empty(), "", Optional.empty(), Optional.empty()).phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(SlurmStates.map("OUT_OF_MEMORY", "", Optional.empty(), "", Optional.empty(), Optional.empty()).reason()).isEqualTo("OOMKilled");
        assertThat(SlurmStates.map("FAILED", "JobLaunchFailure", SlurmStates.ExitCode.parse("0:53"), "", Optional.empty(), Optional.empty())
                .message()).contains("JobLaunchFailure");
    }

    @Test
    void timesAndDurations() {
        assertThat(SlurmStates.parseTime("2026-11-26T12:35:04", ZoneOffset.UTC)).isPresent();
        assertThat(SlurmStates.parseTime("Unknown", ZoneOffset.UTC)).isEmpty();
        assertThat(SlurmStates.parseDuration("1-02:03:04")).contains(Duration.ofSeconds(93784));
        assertThat(SlurmStates.parseDuration("30:00")).contains(Duration.ofMinutes(30));
        assertThat(SlurmStates.parseDuration("2:00:00")).contains(Duration.ofHours(2));
        assertThat(SlurmStates.parseDuration("5")).contains(Duration.ofMinutes(5));
        assertThat(SlurmStates.parseDuration("infinite")).isEmpty();
    }
}
