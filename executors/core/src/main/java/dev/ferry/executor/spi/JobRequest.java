package dev.ferry.executor.spi;

import java.util.Objects;

/** What to submit: who it is for and the pod to run. */
public record JobRequest(JobIdentity identity, PodJob pod) {
    public JobRequest {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(pod, "pod");
    }
}
