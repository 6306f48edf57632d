package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.CommandType;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogChunk;
import dev.ferry.events.LogStream;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.PoolState;
import dev.ferry.executor.ExecutorRuntime;
import dev.ferry.executor.config.ExecutorSettings;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.model.Unsealer;
import dev.ferry.executor.testing.MemoryFeed;
import dev.ferry.executor.testing.MemorySink;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor runtime (executors/core) driving the VM backend against the real sshd: status events,
 * log chunks and pool adverts as the runtime publishes them, and a restart of the runtime while a
 * job finishes on the VM.
 */
class VmExecutorIT {

    LocalVm vm;
    String site;
    final MemoryFeed feed = new MemoryFeed();
    final MemorySink sink = new MemorySink();
    final List<AutoCloseable> running = new ArrayList<>();
    final ExecutorSettings settings = ExecutorSettings.defaults().withPollInterval(Duration.ofMillis(200))
            .withPoolInterval(Duration.ofSeconds(2)).withRetryBackoff(Duration.ofMillis(500));

    @BeforeEach
    void setUp() {
        vm = LocalVm.require();
        site = "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (vm != null) {
            try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(vm.settings("host")))) {
                ssh.exec(new SshTarget("local", vm.host(), vm.port(), vm.user()), "rm -rf .ferry-test/jobs/" + site, new byte[0],
                        Duration.ofSeconds(20));
            }
        }
    }

    /** A runtime on its own thread with a fresh backend (as after a process restart); closing stops it. */
    ExecutorRuntime start() throws Exception {
        VmSettings vmSettings = vm.settings("host");
        SshClient ssh = new SshClient(VmBackendFactory.sshSettings(vmSettings));
        VmBackend backend = new VmBackend(site, vmSettings, ssh, new StaticProvisioner(), Clock.systemUTC(), true);
        ExecutorRuntime runtime = new ExecutorRuntime(site, "exec-it", settings, new SiteConfig.PoolSettings(Map.of(), null, null), backend,
                feed, sink, sink, new Unsealer(Map.of()), Clock.systemUTC());
        Thread thread = new Thread(runtime, "runtime-" + site);
        thread.start();
        assertThat(runtime.awaitStarted(Duration.ofSeconds(30))).isTrue();
        running.add(() -> {
            runtime.stop();
            runtime.awaitStopped(Duration.ofSeconds(30));
            backend.close();
        });
        return runtime;
    }

    JobCommand run(PodIntent intent) {
        return Events.run(intent, site, site + "/local");
    }

    List<PodPhase> phases(String uid) {
        return sink.statuses(uid).stream().map(PodStatusEvent::getPhase).distinct().toList();
    }

    String logs(String uid, String container, LogStream stream) {
        StringBuilder out = new StringBuilder();
        sink.logs().stream().filter(c -> c.getPod().getUid().equals(uid) && c.getContainer().equals(container) && c.getStream() == stream)
                .sorted(java.util.Comparator.comparingLong(LogChunk::getOffset))
                .forEach(c -> out.append(StandardCharsets.UTF_8.decode(c.getData().duplicate())));
        return out.toString();
    }

    boolean eof(String uid, String container, LogStream stream) {
        return sink.logs().stream().anyMatch(c -> c.getPod().getUid().equals(uid) && c.getContainer().equals(container)
                && c.getStream() == stream && c.getEof());
    }

    @Test
    void aPodRunsAndItsStatusAndOutputArePublished() throws Exception {
        start();
        PodIntent pod = Pods.named("hello").command("sh", "-c", "echo line one; echo oops >&2; sleep 1; echo line two").create();
        String uid = pod.getPod().getUid();
        feed.add(run(pod));

        await().atMost(Duration.ofSeconds(30)).until(() -> phases(uid).contains(PodPhase.SUCCEEDED) && eof(uid, "main", LogStream.STDOUT)
                && eof(uid, "main", LogStream.STDERR));
        assertThat(phases(uid)).containsExactly(PodPhase.PENDING, PodPhase.RUNNING, PodPhase.SUCCEEDED);
        List<PodStatusEvent> events = sink.statuses(uid);
        assertThat(events).extracting(PodStatusEvent::getSequence).isSorted().doesNotHaveDuplicates();
        PodStatusEvent last = events.get(events.size() - 1);
        assertThat(last.getBackendJobId()).isEqualTo("local/" + uid + "-0");
        assertThat(last.getContainers()).singleElement().satisfies(c -> assertThat(c.getExitCode()).isEqualTo(0));
        assertThat(logs(uid, "main", LogStream.STDOUT)).isEqualTo("line one\nline two\n");
        assertThat(logs(uid, "main", LogStream.STDERR)).isEqualTo("oops\n");
        assertThat(feed.committed()).isEqualTo(1);
    }

    @Test
    void aCancelCommandStopsTheJob() throws Exception {
        start();
        PodIntent pod = Pods.named("long").command("sh", "-c", "sleep 300").create();
        String uid = pod.getPod().getUid();
        feed.add(run(pod));
        await().atMost(Duration.ofSeconds(30)).until(() -> phases(uid).contains(PodPhase.RUNNING));
        feed.add(JobCommand.newBuilder(run(pod)).setType(CommandType.CANCEL).setIntent(null).setCommandId(uid + "/cancel").build());
        await().atMost(Duration.ofSeconds(30)).until(() -> phases(uid).contains(PodPhase.FAILED));
        assertThat(sink.statuses(uid).get(sink.statuses(uid).size() - 1).getReason()).isEqualTo("Cancelled");
    }

    @Test
    void aJobThatFinishedWhileTheExecutorWasDownIsReportedWithItsRealFinalState() throws Exception {
        ExecutorRuntime first = start();
        PodIntent pod = Pods.named("while-down").command("sh", "-c", "echo working; sleep 3; echo done; exit 3").create();
        String uid = pod.getPod().getUid();
        feed.add(run(pod));
        await().atMost(Duration.ofSeconds(30)).until(() -> phases(uid).contains(PodPhase.RUNNING));
        first.stop();
        assertThat(first.awaitStopped(Duration.ofSeconds(30))).isTrue();
        assertThat(phases(uid)).doesNotContain(PodPhase.FAILED);

        // the job finishes on the VM while no executor runs
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(vm.settings("host")))) {
            SshTarget target = new SshTarget("local", vm.host(), vm.port(), vm.user());
            await().atMost(Duration.ofSeconds(30)).until(() -> ssh.exec(target, "cat .ferry-test/jobs/" + site + "/" + uid + "-0/exit",
                    new byte[0], Duration.ofSeconds(10)).ok());
        }
        start();
        await().atMost(Duration.ofSeconds(30)).until(() -> phases(uid).contains(PodPhase.FAILED) && eof(uid, "main", LogStream.STDOUT));
        PodStatusEvent last = sink.statuses(uid).get(sink.statuses(uid).size() - 1);
        assertThat(last.getReason()).isEqualTo("Error");
        assertThat(last.getMessage()).isEqualTo("container main exited with code 3");
        assertThat(last.getContainers()).singleElement().satisfies(c -> assertThat(c.getExitCode()).isEqualTo(3));
        assertThat(logs(uid, "main", LogStream.STDOUT)).endsWith("done\n");
        assertThat(sink.statuses(uid)).extracting(PodStatusEvent::getSequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void thePoolIsAdvertisedWithTheHostsSize() throws Exception {
        start();
        await().atMost(Duration.ofSeconds(30)).until(() -> !sink.pools().isEmpty());
        PoolAdvert advert = sink.pools().get(0);
        assertThat(advert.getPoolId()).isEqualTo(site + "/local");
        assertThat(advert.getBackend()).hasToString("VM");
        assertThat(advert.getState()).isEqualTo(PoolState.READY);
        assertThat(advert.getCapacity()).containsEntry("cpu", Integer.toString(Runtime.getRuntime().availableProcessors()));
        assertThat(advert.getLabels()).containsEntry("ferry.dev/runtime", "host");
    }

}
