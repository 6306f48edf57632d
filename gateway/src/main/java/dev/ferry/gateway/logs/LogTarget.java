package dev.ferry.gateway.logs;

import java.util.Objects;

/** Whose output: one container of one pod. */
public record LogTarget(String namespace, String pod, String container) {

    public LogTarget {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(container, "container");
    }

    @Override
    public String toString() {
        return namespace + "/" + pod + "/" + container;
    }
}
