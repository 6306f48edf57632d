package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.htcondor.model.PodJobs;
import dev.ferry.executor.htcondor.model.SubmitDescription;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodDirectoriesTest {

    @TempDir
    Path root;

    static final JobIdentity ID = PodJobs.identity("condor-b", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "default");

    SubmitDescription.SubmitJob job() throws Exception {
        PodJob pod = PodJobs.pod().main("main", List.of("true")).volume(new PodJob.VolumeSpec("creds", PodJob.VolumeKind.SECRET,
                Optional.empty(), List.of(new PodJob.FileSpec("a/token", "t0k3n".getBytes(StandardCharsets.UTF_8), true)))).build();
        return SubmitDescription.render(ID, pod, HtcondorSettings.of("/pods"));
    }

    @Test
    void thePodDirectoryIsWrittenUnderTheRootWithItsModes() throws Exception {
        PodDirectories dirs = new PodDirectories(root, Optional.empty());
        String podDir = SubmitDescription.podDirectory(HtcondorSettings.of("/pods"), ID);
        dirs.write("/pods", podDir, job().paths());

        Path local = root.resolve(podDir.substring(1));
        assertThat(dirs.local(podDir)).isEqualTo(local);
        assertThat(local.resolve("job.sub")).content().contains("+PodUID = \"" + ID.podUid() + "\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local))).isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local.resolve("volumes/creds/a/token")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local.resolve("volumes/creds/a")))).isEqualTo("rwx------");
        assertThat(local.resolve("logs/main.stdout")).isEmptyFile();
    }

    @Test
    void aLeftoverDirectoryIsReplacedWithoutFollowingLinksPlantedInIt() throws Exception {
        PodDirectories dirs = new PodDirectories(root, Optional.empty());
        String podDir = SubmitDescription.podDirectory(HtcondorSettings.of("/pods"), ID);
        Path outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "precious");
        dirs.write("/pods", podDir, job().paths());
        Path local = dirs.local(podDir);
        Files.createSymbolicLink(local.resolve("work/escape"), outside);

        dirs.write("/pods", podDir, job().paths());
        assertThat(outside.resolve("keep.txt")).hasContent("precious");
        assertThat(local.resolve("work/escape")).doesNotExist();
    }

    @Test
    void logsAreReadByOffsetAndALinkInTheirPlaceIsNotFollowed() throws Exception {
        PodDirectories dirs = new PodDirectories(root, Optional.empty());
        String podDir = SubmitDescription.podDirectory(HtcondorSettings.of("/pods"), ID);
        dirs.write("/pods", podDir, job().paths());
        Path local = dirs.local(podDir);
        Files.writeString(local.resolve("logs/main.stdout"), "hello world");

        assertThat(new String(dirs.read(podDir, "logs/main.stdout", 6, 100), StandardCharsets.UTF_8)).isEqualTo("world");
        assertThat(dirs.read(podDir, "logs/main.stdout", 11, 100)).isEmpty();
        assertThat(dirs.read(podDir, "logs/nothing.stdout", 0, 100)).isEmpty();

        Path secret = Files.writeString(root.resolve("secret.txt"), "not for the pod's logs");
        Files.delete(local.resolve("logs/main.stderr"));
        Files.createSymbolicLink(local.resolve("logs/main.stderr"), secret);
        assertThatThrownBy(() -> dirs.read(podDir, "logs/main.stderr", 0, 100)).hasMessageContaining("symbolic link");
        assertThat(dirs.readSmall(podDir, "logs/main.stderr")).isEmpty();
    }

    @Test
    void aPodDirectoryOutsideTheWorkDirectoryIsRefused() {
        PodDirectories dirs = new PodDirectories(root, Optional.empty());
        assertThatThrownBy(() -> dirs.write("/pods", "/elsewhere/x", List.of())).hasMessageContaining("is not directly inside /pods");
        assertThatThrownBy(() -> dirs.local("relative")).hasMessageContaining("not absolute");
    }
}
