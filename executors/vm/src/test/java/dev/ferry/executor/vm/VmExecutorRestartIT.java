package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.ExecutorRuntime;
import dev.ferry.executor.testing.ExecutorMain;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole executor process (site.yaml, the real Kafka broker and registry, the VM backend found by
 * ServiceLoader, the real sshd) is killed with SIGKILL after it submitted a job but before it
 * published the status and committed the command; a new process reads the command again and
 * adopts the job: exactly one job runs for the pod, and its final state is published.
 */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class VmExecutorRestartIT {

    @TempDir
    Path tmp;
    LocalVm vm;
    String site;
    final List<Process> children = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : children) {
            ChildProcesses.stop(p.toHandle(), Duration.ofSeconds(20));
        }
        if (vm != null && site != null) {
            remote("rm -rf .ferry-test/jobs/" + site);
        }
    }

    String remote(String command) throws Exception {
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(vm.settings("host")))) {
            var r = ssh.exec(new SshTarget("local", vm.host(), vm.port(), vm.user()), command, new byte[0], Duration.ofSeconds(20));
            return r.stdoutText() + r.stderr();
        }
    }

    Process executor(Path siteYaml, Path log, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildProcesses.javaExecutable(), "-Xmx256m", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(jvmOptions));
        cmd.add(ExecutorMain.class.getName());
        cmd.add(siteYaml.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    @Test
    void anExecutorKilledBetweenSubmitAndCommitRunsThePodExactlyOnce(KafkaBroker kafka, SchemaRegistry registry) throws Exception {
        vm = LocalVm.require();
        site = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = TestNames.unique("vmrestart") + ".";
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix)),
                new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of(site)));
        }
        Path siteYaml = tmp.resolve("site.yaml");
        Files.writeString(siteYaml, """
                site: %s
                kafka:
                  bootstrapServers: %s
                registry:
                  url: %s
                topics:
                  prefix: %s
                executor:
                  pollInterval: 200ms
                  retryBackoff: 500ms
                backend:
                  type: vm
                  vm:
                    user: %s
                    identityFile: %s
                    knownHostsFile: %s
                    workDir: .ferry-test/jobs
                    stopGracePeriod: 3s
                    pools:
                      - name: local
                        runtime: host
                        hosts:
                          - name: local
                            address: %s
                            port: %d
                """.formatted(site, kafka.bootstrapServers(), registry.baseUrl(), prefix, vm.user(), vm.key(), vm.knownHosts(), vm.host(),
                vm.port()));

        PodIntent pod = Pods.named("once").command("sh", "-c", "echo ran >> ../ran-$(basename \"$FERRY_POD_DIR\"); sleep 2; echo finished").create();
        String uid = pod.getPod().getUid();
        Topic<String, JobCommand> jobs = topics.jobs(site);
        try (KafkaProducer<String, JobCommand> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                jobs.keySerde().serializer(), jobs.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(jobs.name(), uid, Events.run(pod, site, site + "/local"))).get();
        }

        Path marker = tmp.resolve("submitted");
        Process first = executor(siteYaml, tmp.resolve("first.log"), "-D" + ExecutorRuntime.PAUSE_AFTER_SUBMIT_PROPERTY + "=120s",
                "-D" + ExecutorRuntime.PAUSE_MARKER_PROPERTY + "=" + marker);
        await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(marker) || !first.isAlive());
        assertThat(first.isAlive()).as("first executor died early: " + ChildProcesses.tail(tmp.resolve("first.log"), 30)).isTrue();
        assertThat(Files.readString(marker)).isEqualTo("local/" + uid + "-0");
        first.destroyForcibly().waitFor();

        executor(siteYaml, tmp.resolve("second.log"));
        List<PodStatusEvent> statuses = new ArrayList<>();
        Topic<String, PodStatusEvent> status = topics.podStatus();
        try (KafkaConsumer<String, PodStatusEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, TestNames.unique("vmrestart-reader"), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                status.keySerde().deserializer(), status.valueSerde().deserializer())) {
            consumer.subscribe(List.of(status.name()));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, PodStatusEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(uid)) {
                        statuses.add(r.value());
                    }
                }
                return statuses.stream().anyMatch(s -> s.getPhase() == PodPhase.SUCCEEDED);
            });
        }
        assertThat(remote("ls .ferry-test/jobs/" + site + " | grep -c '^" + uid + "'").strip()).isEqualTo("1");
        assertThat(remote("cat .ferry-test/jobs/" + site + "/ran-" + uid + "-0")).isEqualTo("ran\n");
        assertThat(statuses).extracting(PodStatusEvent::getBackendJobId).containsOnly("local/" + uid + "-0");
        // the second executor found the job (on start, or when the replayed RUN came) and never submitted
        assertThat(ChildProcesses.tail(tmp.resolve("second.log"), 300)).containsPattern("(recovered|adopted) vm job local/" + uid + "-0")
                .doesNotContain("submitted vm job");
    }
}
