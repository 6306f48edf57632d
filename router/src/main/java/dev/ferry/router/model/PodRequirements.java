package dev.ferry.router.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a pod needs from a pool, read and validated from its intent: the effective resource request (Kubernetes'
 * rule: per resource, the larger of the sum over the containers and the largest init container, a missing request
 * defaulting to the limit), placement constraints, the backend its annotations imply, its deadline and priority.
 *
 * @param namespace       the pod's namespace, checked against pools' namespace allow-lists
 * @param requests        the effective request
 * @param nodeSelector    labels every one of which a pool must carry
 * @param affinity        required node affinity terms (ORed); empty means no constraint
 * @param tolerations     the pod's tolerations
 * @param backend         the backend the pod's annotations need (e.g. {@code SLURM}), if any
 * @param backendBecause  the annotation that implies it, for messages
 * @param deadlineSeconds {@code activeDeadlineSeconds}, compared with pools' max walltime
 * @param priority        the pod's priority; queues order by it, higher first
 */
public record PodRequirements(
        String namespace,
        Resources requests,
        Map<String, String> nodeSelector,
        List<NodeSelectorTerm> affinity,
        List<Toleration> tolerations,
        Optional<String> backend,
        String backendBecause,
        OptionalLong deadlineSeconds,
        int priority) {

    public PodRequirements {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(requests, "requests");
        nodeSelector = Map.copyOf(nodeSelector);
        affinity = List.copyOf(affinity);
        tolerations = List.copyOf(tolerations);
        Objects.requireNonNull(backend, "backend");
        backendBecause = backendBecause == null ? "" : backendBecause;
        Objects.requireNonNull(deadlineSeconds, "deadlineSeconds");
    }

    /** A pod in {@code namespace} that needs {@code requests} and nothing else. */
    public static PodRequirements of(String namespace, Resources requests) {
        return new PodRequirements(namespace, requests, Map.of(), List.of(), List.of(), Optional.empty(), "",
                OptionalLong.empty(), 0);
    }
}
