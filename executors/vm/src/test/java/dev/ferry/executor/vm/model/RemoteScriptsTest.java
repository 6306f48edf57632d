package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RemoteScriptsTest {

    static final JobIdentity ID = new JobIdentity("vm-a", "0b7c6a4e-2f7d-4c1e-9a61-7d1f0f0e5c11", "team", "trainer", 0, "cpu");
    static final String DIR = JobLayout.dirName(ID);

    @Test
    void theSubmitScriptCarriesEveryFileAsBase64AndStartsTheWrapperDetached() throws Exception {
        String secret = "FERRY_EOF\n$(touch /tmp/pwned)\n'";
        PodJob pod = new PodJob(Map.of(), Map.of(), List.of(), List.of(new PodJob.ContainerSpec("main", "", List.of("true"), List.of(),
                List.of(new PodJob.EnvEntry("TOKEN", secret, true)), Optional.empty(), Map.of(), Map.of(), List.of())), List.of(),
                Optional.empty(), "Never");
        JobBundle.Bundle bundle = JobBundle.render(ID, pod, PoolSettings.of("cpu", "host", List.of()), "vm-1", Duration.ofSeconds(5));
        String script = RemoteScripts.submit("/srv/it's ferry", "vm-a", DIR, bundle, Duration.ofSeconds(2));

        assertThat(script).contains("S='/srv/it'\\''s ferry/vm-a'\n").contains("D=\"$S/" + DIR + "\"\n");
        assertThat(script).contains("if [ -e \"$D/submitted\" ]; then echo FERRY_EXISTS; exit 0; fi");
        assertThat(script).doesNotContain("touch /tmp/pwned").doesNotContain(secret);
        String env = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(bundle.file("env/main.env").orElseThrow().content());
        assertThat(script).contains("base64 -d >'env/main.env' <<'FERRY_EOF' || exit 3\n" + env + "\nFERRY_EOF\nchmod 600 'env/main.env'\n");
        assertThat(script).contains("setsid sh ./run.sh </dev/null >wrapper.log 2>&1 &\n");
        assertThat(script.indexOf("ferry_now >submitted")).isLessThan(script.indexOf("setsid sh ./run.sh"));
        assertThat(script).contains("-lt 40 ]");
        assertThat(RemoteScripts.submit(".ferry/jobs", "vm-a", DIR, bundle, Duration.ZERO))
                .endsWith("setsid sh ./run.sh </dev/null >wrapper.log 2>&1 &\necho \"FERRY_STARTED $!\"\nexit 0\n");
    }

    @Test
    void statusAndCancelScriptsListOnlyJobDirectoryNames() {
        String status = RemoteScripts.status(".ferry/jobs", "vm-a", RemoteScripts.Scope.JOBS, List.of(DIR), Duration.ofDays(7));
        assertThat(status).contains("<<'FERRY_LIST'\n" + DIR + "\nFERRY_LIST\n").doesNotContain("ferry_cutoff").doesNotContain("host cpus")
                .contains("stat -c 'size %s %n' -- \"$S\"/" + DIR + "/logs/* 2>/dev/null\n");
        assertThat(RemoteScripts.status(".ferry/jobs", "vm-a", RemoteScripts.Scope.ALL, List.of(), Duration.ofSeconds(60)))
                .contains("ferry_cutoff=$((ferry_now_ms - 60000))").contains("for ferry_p in \"$S\"/*; do").contains("echo \"ident $n$ferry_id\"");
        assertThat(RemoteScripts.status(".ferry/jobs", "vm-a", RemoteScripts.Scope.ALL_WITH_FACTS, List.of(), Duration.ofSeconds(60)))
                .contains("echo \"host cpus=$ferry_cpus memKiB=$ferry_mem\"").contains("nvidia-smi -L")
                .contains("ferry_cutoff=$((ferry_now_ms - 60000))").contains("rm -rf -- \"$ferry_p\"; echo \"gone $ferry_n\"");
        assertThat(RemoteScripts.cancel(".ferry/jobs", "vm-a", List.of(DIR), Duration.ofSeconds(10)))
                .contains("kill -TERM \"-$p\"").contains("ferry-kill 10 \"$d\" \"$p\" \"$st\"");
        assertThatThrownBy(() -> RemoteScripts.status(".ferry/jobs", "vm-a", RemoteScripts.Scope.JOBS, List.of("x\ny-0"), Duration.ofDays(1)))
                .hasMessageContaining("is not a job directory name");
        assertThatThrownBy(() -> RemoteScripts.cancel(".ferry/jobs", "vm-a", List.of("../../etc-0"), Duration.ofSeconds(1)))
                .hasMessageContaining("is not a job directory name");
    }

    @Test
    void logRequestsAreChecked() {
        String script = RemoteScripts.logs(".ferry/jobs", "vm-a", List.of(new RemoteScripts.LogRequest(DIR, "main", "stdout", 10, 100)));
        assertThat(script).contains(DIR + " main stdout 10 100\nFERRY_LIST\n");
        assertThatThrownBy(() -> new RemoteScripts.LogRequest(DIR, "$(x)", "stdout", 0, 1)).hasMessageContaining("not a DNS label");
        assertThatThrownBy(() -> new RemoteScripts.LogRequest(DIR, "main", "stdin", 0, 1)).hasMessageContaining("stdout or stderr");
    }
}
