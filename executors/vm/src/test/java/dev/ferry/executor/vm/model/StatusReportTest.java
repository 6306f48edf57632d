package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.vm.model.StatusReport.State;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing what the status script prints (the format is documented on {@link RemoteScripts}). */
class StatusReportTest {

    static final String UID = "0b7c6a4e-2f7d-4c1e-9a61-7d1f0f0e5c11";

    @Test
    void parsesEveryKindOfLineAndIgnoresNoise() {
        String out = """
                Welcome to the VM! (a login banner the shell printed)
                now 1700000000500
                host cpus=16 memKiB=65843232
                gpu GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-2f0e)
                gpu GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-3a1b)
                gpu No devices were found
                job %1$s-0 state=running sub=1700000000000 start=1700000000100 code= end= cancelled= deadline=
                ident %1$s-0 site=vm-a podUid=%1$s namespace=team podName=trainer attempt=0 pool=gpu host=vm-1
                res %1$s-0 cpu=1500 mem=2147483648 gpu=1
                ctr %1$s-0 init setup start=1700000000110 code=0 end=1700000000200
                ctr %1$s-0 main main start=1700000000210 code= end=
                size 42 /home/ferry dir/.ferry/jobs/vm-a/%1$s-0/logs/main.stdout
                size 7 /home/ferry dir/.ferry/jobs/vm-a/%1$s-0/logs/setup.stderr
                job bad;name state=running
                gone %1$s-9
                """.formatted(UID);
        StatusReport r = StatusReport.parse(out);
        assertThat(r.now()).hasValue(1700000000500L);
        assertThat(r.facts()).hasValueSatisfying(f -> {
            assertThat(f.capacity()).isEqualTo(new Resources(16000, 65843232L * 1024, 2));
            assertThat(f.gpuProduct()).contains("NVIDIA A100-SXM4-40GB");
        });
        assertThat(r.jobs()).containsOnlyKeys(UID + "-0");
        StatusReport.JobReport j = r.jobs().get(UID + "-0");
        assertThat(j.state()).isEqualTo(State.RUNNING);
        assertThat(j.submitted()).hasValue(1700000000000L);
        assertThat(j.exitCode()).isEmpty();
        assertThat(j.identity()).hasValueSatisfying(id -> {
            assertThat(id.site()).isEqualTo("vm-a");
            assertThat(id.podUid()).isEqualTo(UID);
            assertThat(id.pool()).isEqualTo("gpu");
        });
        assertThat(j.resources()).isEqualTo(new Resources(1500, 2147483648L, 1));
        assertThat(j.containers()).extracting(StatusReport.ContainerReport::name).containsExactly("setup", "main");
        assertThat(j.containers().get(0).exitCode()).contains(0);
        assertThat(j.containers().get(1).exitCode()).isEmpty();
        assertThat(r.logSizes()).containsEntry(UID + "-0/main/stdout", 42L).containsEntry(UID + "-0/setup/stderr", 7L);
        assertThat(r.gone()).containsExactly(UID + "-9");
    }

    @Test
    void aFinishedJobWithoutAReadableCodeCountsAsFailed() {
        StatusReport r = StatusReport.parse("job " + UID + "-1 state=finished code= end=5\njob " + UID + "-2 state=odd\n");
        assertThat(r.jobs().get(UID + "-1").exitCode()).contains(1);
        assertThat(r.jobs().get(UID + "-2").state()).isEqualTo(State.MISSING);
        assertThat(r.facts()).isEmpty();
        assertThat(r.now()).isEmpty();
    }

    @Test
    void anIdentityWithUnsafeFieldsIsNotTrusted() {
        StatusReport r = StatusReport.parse("job " + UID + "-0 state=finished code=0\nident " + UID
                + "-0 site=vm-a podUid=$(x) namespace=n podName=p attempt=0 pool=gpu\n");
        assertThat(r.jobs().get(UID + "-0").identity()).isEqualTo(Optional.empty());
    }
}
