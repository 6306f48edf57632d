package dev.ferry.executor.htcondor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobStatesTest {

    static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    static final Duration HELD = Duration.ofMinutes(10);

    static JobAd ad(int status, Object... more) {
        Map<String, Object> values = new HashMap<>();
        values.put("ClusterId", 7);
        values.put("ProcId", 0);
        values.put("JobStatus", status);
        values.put("EnteredCurrentStatus", NOW.getEpochSecond() - 5);
        values.put("JobCurrentStartExecutingDate", NOW.getEpochSecond() - 60);
        for (int i = 0; i < more.length; i += 2) {
            values.put((String) more[i], more[i + 1]);
        }
        return JobAd.of(values);
    }

    static JobStatus map(JobAd ad) {
        return JobStates.map(ad, NOW, HELD).status();
    }

    @Test
    void idleIsPendingAndRunningTransferringAndSuspendedAreRunning() {
        assertThat(map(ad(1))).satisfies(s -> {
            assertThat(s.phase()).isEqualTo(JobPhase.PENDING);
            assertThat(s.reason()).isEqualTo("Queued");
            assertThat(s.startedAt()).isEmpty();
        });
        assertThat(map(ad(2))).satisfies(s -> {
            assertThat(s.phase()).isEqualTo(JobPhase.RUNNING);
            assertThat(s.startedAt()).contains(NOW.minusSeconds(60));
        });
        assertThat(map(ad(6)).phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(map(ad(6)).message()).isEqualTo("transferring output");
        assertThat(map(ad(7)).reason()).isEqualTo("Suspended");
        assertThat(map(ad(9)).phase()).isEqualTo(JobPhase.PENDING);
    }

    @Test
    void completedJobsAreDecidedByExitBySignalThenExitCode() {
        JobStatus ok = map(ad(4, "ExitBySignal", false, "ExitCode", 0, "CompletionDate", NOW.getEpochSecond() - 1));
        assertThat(ok.phase()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(ok.exitCode()).contains(0);
        assertThat(ok.finishedAt()).contains(NOW.minusSeconds(1));

        JobStatus three = map(ad(4, "ExitBySignal", false, "ExitCode", 3));
        assertThat(three.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(three.reason()).isEqualTo("Error");
        assertThat(three.message()).isEqualTo("exited with code 3");
        assertThat(three.exitCode()).contains(3);

        JobStatus killed = map(ad(4, "ExitBySignal", true, "ExitSignal", 9));
        assertThat(killed.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(killed.message()).isEqualTo("killed by signal 9");
        assertThat(killed.signal()).contains(9);
        assertThat(killed.exitCode()).contains(137);

        assertThat(map(ad(4)).message()).isEqualTo("completed without an exit code");
    }

    @Test
    void removedJobsSayWhoRemovedThem() {
        JobStatus cancelled = map(ad(3, "RemoveReason", "cancelled by Ferry (by user ferry)", "ExitBySignal", true, "ExitSignal", 15));
        assertThat(cancelled.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(cancelled.reason()).isEqualTo("Cancelled");
        assertThat(cancelled.message()).isEqualTo("cancelled");
        assertThat(cancelled.signal()).contains(15);

        JobStatus byAdmin = map(ad(3, "RemoveReason", "via condor_rm (by user admin)"));
        assertThat(byAdmin.reason()).isEqualTo("Cancelled");
        assertThat(byAdmin.message()).isEqualTo("removed from HTCondor: via condor_rm (by user admin)");
        assertThat(byAdmin.signal()).isEmpty();

        JobStatus deadline = map(ad(3, "FerryDeadline", 90, "RemoveReason",
                "The job attribute PeriodicRemove expression '(JobStatus == 2) && (time() - JobCurrentStartExecutingDate > FerryDeadline)' evaluated to TRUE"));
        assertThat(deadline.reason()).isEqualTo("DeadlineExceeded");
        assertThat(deadline.message()).isEqualTo("ran longer than activeDeadlineSeconds (90 s): removed by HTCondor");
    }

    @Test
    void aHeldJobKeepsItsPodPendingWithTheHoldReasonUntilTheSitesTimeout() {
        JobAd held = ad(5, "HoldReason", "Error from slot1_1@vm: Failed to execute '/nonexistent/program': (errno=2: 'No such file or directory')",
                "HoldReasonCode", 6, "HoldReasonSubCode", 2, "EnteredCurrentStatus", NOW.getEpochSecond() - 60);
        JobStates.Mapped early = JobStates.map(held, NOW, HELD);
        assertThat(early.status().phase()).isEqualTo(JobPhase.PENDING);
        assertThat(early.status().reason()).isEqualTo(JobStates.HELD);
        assertThat(early.status().message()).isEqualTo("held by HTCondor: Error from slot1_1@vm: Failed to execute '/nonexistent/program':"
                + " (errno=2: 'No such file or directory') (HoldReasonCode 6, subcode 2)");
        assertThat(early.removeBecause()).isEmpty();

        JobStates.Mapped late = JobStates.map(held, NOW.plus(HELD), HELD);
        assertThat(late.status().phase()).isEqualTo(JobPhase.FAILED);
        assertThat(late.status().reason()).isEqualTo(JobStates.HELD);
        assertThat(late.status().message()).contains("Failed to execute '/nonexistent/program'").contains("held for longer than 10m");
        assertThat(late.removeBecause()).hasValueSatisfying(r -> assertThat(r).startsWith("held for longer than 10m: Error from"));

        assertThat(JobStates.map(ad(5), NOW, HELD).status().message()).isEqualTo("held by HTCondor: no reason given");
    }
}
