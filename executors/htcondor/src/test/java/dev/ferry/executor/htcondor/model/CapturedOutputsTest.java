package dev.ferry.executor.htcondor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.PoolInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The parsers and the state mapping on what HTCondor 23.9.6 really printed (see {@link CapturedOutputs}). */
class CapturedOutputsTest {

    static final CapturedOutputs OUT = CapturedOutputs.V23_9_6;
    static final Duration HELD = Duration.ofMinutes(30);

    static Map<String, JobAd> byPod(String name) {
        return JobAd.parseAll(OUT.stdout(name)).stream().collect(Collectors.toMap(a -> a.string("PodName").orElseThrow(), Function.identity()));
    }

    static JobStatus state(JobAd ad) {
        return JobStates.map(ad, ad.time("EnteredCurrentStatus").orElseThrow().plusSeconds(1), HELD).status();
    }

    @Test
    void theCapturesAreFromTheVersionTheirFolderNames() {
        assertThat(OUT.stdout("condor_version")).startsWith("$CondorVersion: 23.9.6 ");
    }

    @Test
    void anEmptyQueuePrintsNothingAndAnEmptyHistoryAnEmptyArray() {
        assertThat(OUT.stdout("condor_q-empty")).isEmpty();
        assertThat(OUT.exit("condor_q-empty")).isZero();
        assertThat(JobAd.parseAll(OUT.stdout("condor_q-empty"))).isEmpty();
        assertThat(OUT.stdout("condor_history-empty").strip()).isEqualTo("[\n]");
        assertThat(JobAd.parseAll(OUT.stdout("condor_history-empty"))).isEmpty();
    }

    @Test
    void aHeldJobComesWithItsHoldReasonAndCodes() {
        JobAd held = byPod("condor_q-mixed").get("held");
        assertThat(held.integer("JobStatus")).contains(5L);
        JobStatus s = state(held);
        assertThat(s.phase()).isEqualTo(JobPhase.PENDING);
        assertThat(s.reason()).isEqualTo(JobStates.HELD);
        assertThat(s.message()).contains("Failed to execute '/nonexistent/program'").contains("HoldReasonCode 6, subcode 2");

        JobAd onHold = byPod("condor_q-mixed").get("idle");
        assertThat(state(onHold).message()).isEqualTo("held by HTCondor: submitted on hold at user's request (HoldReasonCode 15)");
    }

    @Test
    void expressionsArePrintedAsSlashExprAndAreNotValues() {
        JobAd running = byPod("condor_q-mixed").get("running");
        assertThat(running.has("RequestMemory")).isTrue();
        assertThat(running.isExpression("RequestMemory")).isTrue();
        assertThat(running.string("RequestMemory")).isEmpty();
        assertThat(running.integer("RequestMemory")).isEmpty();
        assertThat(state(running).phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(state(running).startedAt()).isPresent();
    }

    @Test
    void attributesAJobDoesNotHaveAreAbsentInJsonAndUndefinedInAutoformat() {
        JobAd running = byPod("condor_q-mixed").get("running");
        assertThat(running.has("ExitCode")).isFalse();
        assertThat(running.integer("ExitCode")).isEmpty();
        assertThat(running.has("HoldReason")).isFalse();
        // an attribute whose value is the literal undefined is null in JSON
        JobAd undefined = JobAd.parseAll(OUT.stdout("condor_q-json-undefined")).stream()
                .filter(a -> a.has("FerryUndefined")).findFirst().orElseThrow();
        assertThat(OUT.stdout("condor_q-json-undefined")).contains("\"FerryUndefined\": null");
        assertThat(undefined.string("FerryUndefined")).isEmpty();
        assertThat(undefined.has("NoSuchAttribute")).isFalse();
        // the same jobs with -af: every missing attribute (and the literal undefined) prints "undefined"
        assertThat(OUT.stdout("condor_q-af-undefined").lines()).anySatisfy(l -> assertThat(l).matches("\\d+\\.0 2 undefined undefined undefined"));
    }

    @Test
    void theIdentityFerryStoresComesBack() {
        JobAd held = byPod("condor_q-mixed").get("held");
        assertThat(JobAttributes.identity(held, "capture")).contains(new JobIdentity("capture", "00000000-0000-0000-0000-000000000001",
                "default", "held", 0, "default"));
        assertThat(JobAttributes.identity(held, "other-site")).isEmpty();
        assertThat(held.jobId()).hasValueSatisfying(id -> assertThat(id).matches("\\d+\\.0"));
    }

    @Test
    void finishedJobsInTheHistoryMapToTheirRealOutcome() {
        Map<String, JobAd> history = byPod("condor_history-finished");
        assertThat(state(history.get("ok"))).satisfies(s -> {
            assertThat(s.phase()).isEqualTo(JobPhase.SUCCEEDED);
            assertThat(s.exitCode()).contains(0);
            assertThat(s.finishedAt()).isPresent();
        });
        assertThat(state(history.get("exit3"))).satisfies(s -> {
            assertThat(s.phase()).isEqualTo(JobPhase.FAILED);
            assertThat(s.exitCode()).contains(3);
            assertThat(s.message()).isEqualTo("exited with code 3");
        });
        assertThat(state(history.get("signal"))).satisfies(s -> {
            assertThat(s.phase()).isEqualTo(JobPhase.FAILED);
            assertThat(s.signal()).contains(9);
            assertThat(s.message()).isEqualTo("killed by signal 9");
        });
        assertThat(state(history.get("running"))).satisfies(s -> {
            assertThat(s.reason()).isEqualTo("Cancelled");
            assertThat(s.message()).isEqualTo("cancelled");
        });
        assertThat(state(history.get("deadline"))).satisfies(s -> {
            assertThat(s.reason()).isEqualTo("DeadlineExceeded");
            assertThat(s.message()).contains("activeDeadlineSeconds (2 s)");
        });
    }

    @Test
    void condorRmOfAJobThatIsGoneExits1WithNotFound() {
        assertThat(OUT.exit("condor_rm-missing")).isEqualTo(1);
        assertThat(OUT.stderr("condor_rm-missing")).contains("Job 999999.0 not found");
        assertThat(OUT.exit("condor_rm-gone")).isEqualTo(1);
        assertThat(OUT.stderr("condor_rm-gone")).contains("not found");
        assertThat(OUT.exit("condor_rm-running")).isZero();
        assertThat(OUT.stdout("condor_rm-running")).contains("marked for removal");
    }

    @Test
    void slotsBecomeAPool() {
        // a partitionable slot with a dynamic slot carved out of it (a job running)
        List<JobAd> slots = JobAd.parseAll(OUT.stdout("condor_status-busy"));
        JobAd partitionable = slots.stream().filter(a -> a.bool("PartitionableSlot").orElse(false)).findFirst().orElseThrow();
        assertThat(slots).anyMatch(a -> a.bool("DynamicSlot").orElse(false));
        PoolInfo pool = SlotPools.pool("default", slots);
        assertThat(pool.capacity()).containsEntry("cpu", "8").containsEntry("nvidia.com/gpu", "2").containsEntry("slots", "1")
                .containsEntry("memory", "24105Mi");
        assertThat(pool.allocatable()).containsEntry("cpu", Long.toString(partitionable.integer("Cpus").orElseThrow()))
                .containsEntry("memory", partitionable.integer("Memory").orElseThrow() + "Mi");
        assertThat(Long.parseLong(pool.allocatable().get("cpu"))).isLessThan(8);
        assertThat(pool.state()).isEqualTo(PoolInfo.PoolCondition.READY);
    }

    @Test
    void somethingThatIsNotTheJsonArrayIsAnErrorNamingIt() {
        assertThatThrownBy(() -> JobAd.parseAll(OUT.stderr("condor_submit-bad-command"))).hasMessageContaining("not the JSON array");
        assertThatThrownBy(() -> JobAd.parseAll("{\"a\": 1}")).hasMessageContaining("not the JSON array");
        assertThat(JobAd.parseAll("[\n{\"A\": null, \"B\": \"\\/Expr(1 + 2)\\/\"}\n]")).singleElement().satisfies(a -> {
            assertThat(a.has("A")).isTrue();
            assertThat(a.string("A")).isEmpty();
            assertThat(a.isExpression("B")).isTrue();
        });
    }
}
