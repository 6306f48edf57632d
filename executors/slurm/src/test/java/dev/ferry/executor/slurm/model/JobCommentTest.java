package dev.ferry.executor.slurm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.spi.JobIdentity;
import org.junit.jupiter.api.Test;

class JobCommentTest {
    @Test
    void roundTripsAndIgnoresForeignJobs() {
        JobIdentity id = new JobIdentity("hpc-a", "uid-1", "team", "train", 3, "gpu");
        assertThat(JobComment.decode("uid-1", JobComment.encode(id))).contains(id);
        assertThat(JobComment.decode("uid-1", "")).isEmpty();
        assertThat(JobComment.decode("uid-1", "my own comment")).isEmpty();
        assertThat(JobComment.decode("uid 1", JobComment.encode(id))).isEmpty();
    }
}
