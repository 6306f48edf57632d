package dev.ferry.gateway.intent;

import dev.ferry.gateway.intent.PodReferences.Kind;
import dev.ferry.gateway.intent.PodReferences.ObjectKey;
import dev.ferry.gateway.intent.PodReferences.Reference;
import dev.ferry.gateway.intent.PodReferences.Use;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the ConfigMaps and Secrets a pod refers to (volumes, projected volume sources, env
 * {@code valueFrom}, {@code envFrom}), so the intent can carry their content: a site cannot reach
 * this cluster's API.
 *
 * <p>Each referenced object is fetched once. A required one that does not exist yet, or that lacks a
 * key the pod names ({@code configMapKeyRef}, {@code secretKeyRef}, volume {@code items}), is fetched
 * again with a backoff growing from 200 ms to 2 s until {@code waitFor} has passed (objects are often
 * applied together with the pod, a moment later); then {@link MissingReferenceException} names it. A
 * reference marked {@code optional: true} never waits. Errors of the API itself (forbidden,
 * unreachable) are not retried here and propagate as fabric8's {@code KubernetesClientException}.
 */
public final class ReferenceResolver {

    /** The pod status reason for a pod whose references stayed missing (the kubelet's reason for the same). */
    public static final String REASON = "CreateContainerConfigError";

    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceResolver.class);

    /** How the resolver waits between passes; replaceable so tests can observe the passes. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    static final Sleeper THREAD_SLEEP = d -> Thread.sleep(Math.max(0, d.toMillis()));

    private final KubernetesClient client;
    private final Duration waitFor;
    private final Clock clock;
    private final Sleeper sleeper;

    /**
     * @param waitFor how long a missing required reference is waited for; zero checks once
     */
    public ReferenceResolver(KubernetesClient client, Duration waitFor) {
        this(client, waitFor, Clock.systemUTC(), THREAD_SLEEP);
    }

    ReferenceResolver(KubernetesClient client, Duration waitFor, Clock clock, Sleeper sleeper) {
        this.client = Objects.requireNonNull(client, "client");
        this.waitFor = Objects.requireNonNull(waitFor, "waitFor");
        if (waitFor.isNegative()) {
            throw new IllegalArgumentException("waitFor must not be negative, got " + waitFor);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * The referenced objects that exist, once every required reference is satisfied.
     *
     * @throws MissingReferenceException when a required object or key is still missing after {@code waitFor}
     * @throws InterruptedException      when the waiting thread is interrupted
     */
    public Resolved resolve(Pod pod) throws MissingReferenceException, InterruptedException {
        List<Reference> references = PodReferences.of(pod);
        if (references.isEmpty()) {
            return Resolved.none();
        }
        String namespace = namespace(pod);
        Map<String, ConfigMap> configMaps = new HashMap<>();
        Map<String, Secret> secrets = new HashMap<>();
        Set<ObjectKey> toFetch = references.stream().map(Reference::object)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Instant deadline = clock.instant().plus(waitFor);
        Duration backoff = FIRST_BACKOFF;
        boolean logged = false;
        while (true) {
            for (ObjectKey key : toFetch) {
                fetch(key, namespace, configMaps, secrets);
            }
            List<Reference> missing = references.stream()
                    .filter(r -> !r.optional() && !satisfied(r, configMaps, secrets))
                    .toList();
            if (missing.isEmpty()) {
                return new Resolved(configMaps, secrets);
            }
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                throw MissingReferenceException.of(missing, namespace, configMaps, secrets, waitFor);
            }
            if (!logged) {
                LOG.info("pod {}/{} ({}): waiting up to {} for {}", namespace, pod.getMetadata().getName(),
                        pod.getMetadata().getUid(), waitFor, describe(missing.get(0), namespace, configMaps, secrets));
                logged = true;
            }
            Duration left = Duration.between(now, deadline);
            sleeper.sleep(backoff.compareTo(left) < 0 ? backoff : left);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            toFetch = missing.stream().map(Reference::object).collect(Collectors.toCollection(LinkedHashSet::new));
        }
    }

    private String namespace(Pod pod) {
        String ns = pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
        if (ns == null || ns.isEmpty()) {
            ns = client.getNamespace();
        }
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    private void fetch(ObjectKey key, String namespace, Map<String, ConfigMap> configMaps, Map<String, Secret> secrets) {
        if (key.name() == null || key.name().isEmpty()) {
            return;
        }
        if (key.kind() == Kind.CONFIG_MAP) {
            ConfigMap found = client.configMaps().inNamespace(namespace).withName(key.name()).get();
            if (found == null) {
                configMaps.remove(key.name());
            } else {
                configMaps.put(key.name(), found);
            }
        } else {
            Secret found = client.secrets().inNamespace(namespace).withName(key.name()).get();
            if (found == null) {
                secrets.remove(key.name());
            } else {
                secrets.put(key.name(), found);
            }
        }
    }

    static boolean satisfied(Reference r, Map<String, ConfigMap> configMaps, Map<String, Secret> secrets) {
        return exists(r, configMaps, secrets) && (r.key() == null || hasKey(r, configMaps, secrets));
    }

    private static boolean exists(Reference r, Map<String, ConfigMap> configMaps, Map<String, Secret> secrets) {
        return r.kind() == Kind.CONFIG_MAP ? configMaps.containsKey(r.name()) : secrets.containsKey(r.name());
    }

    private static boolean hasKey(Reference r, Map<String, ConfigMap> configMaps, Map<String, Secret> secrets) {
        if (r.kind() == Kind.SECRET) {
            return Payloads.secretData(secrets.get(r.name())).containsKey(r.key());
        }
        ConfigMap cm = configMaps.get(r.name());
        return r.use() == Use.ENV ? Payloads.configMapEnv(cm).containsKey(r.key())
                : Payloads.configMapFiles(cm).containsKey(r.key());
    }

    static String describe(Reference r, String namespace, Map<String, ConfigMap> configMaps, Map<String, Secret> secrets) {
        String object = r.kind().word + " \"" + (r.name() == null ? "" : r.name()) + "\"";
        if (exists(r, configMaps, secrets)) {
            return "key \"" + r.key() + "\" not found in " + object + " in namespace \"" + namespace + "\"";
        }
        return object + " not found in namespace \"" + namespace + "\"";
    }

    /**
     * The ConfigMaps and Secrets a pod refers to that exist, by name. A name absent here was either
     * optional and missing, or not referred to.
     */
    public record Resolved(Map<String, ConfigMap> configMaps, Map<String, Secret> secrets) {

        public Resolved {
            configMaps = Map.copyOf(configMaps);
            secrets = Map.copyOf(secrets);
        }

        /** Nothing referred to. */
        public static Resolved none() {
            return new Resolved(Map.of(), Map.of());
        }

        public Optional<ConfigMap> configMap(String name) {
            return Optional.ofNullable(name == null ? null : configMaps.get(name));
        }

        public Optional<Secret> secret(String name) {
            return Optional.ofNullable(name == null ? null : secrets.get(name));
        }
    }

    /**
     * A required ConfigMap or Secret, or a key in one, that was still missing after the wait. The
     * message names the kind, name, namespace, key (when one is needed), who refers to it and how long
     * the gateway waited: {@code secret "db-pass" not found in namespace "default" (env DB_PASSWORD of
     * container "main"; waited 30 s)}.
     */
    public static final class MissingReferenceException extends Exception {

        private final String kind;
        private final String name;
        private final String namespace;
        private final String key;
        private final List<String> referrers;

        MissingReferenceException(String message, String kind, String name, String namespace, String key,
                                  List<String> referrers) {
            super(message);
            this.kind = kind;
            this.name = name;
            this.namespace = namespace;
            this.key = key;
            this.referrers = List.copyOf(referrers);
        }

        static MissingReferenceException of(List<Reference> missing, String namespace, Map<String, ConfigMap> configMaps,
                                            Map<String, Secret> secrets, Duration waited) {
            Reference first = missing.get(0);
            boolean objectMissing = !exists(first, configMaps, secrets);
            // everyone who needs the same missing thing, in pod order
            List<String> referrers = new ArrayList<>();
            for (Reference r : missing) {
                boolean same = r.object().equals(first.object())
                        && (objectMissing || Objects.equals(r.key(), first.key()));
                if (same && !referrers.contains(r.referrer())) {
                    referrers.add(r.referrer());
                }
            }
            String message = describe(first, namespace, configMaps, secrets) + " (" + String.join(", ", referrers)
                    + "; waited " + seconds(waited) + ")";
            return new MissingReferenceException(message, first.kind().word, first.name(), namespace,
                    objectMissing ? null : first.key(), referrers);
        }

        private static String seconds(Duration d) {
            long millis = d.toMillis();
            return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }

        /** {@code configmap} or {@code secret}. */
        public String kind() {
            return kind;
        }

        public String name() {
            return name;
        }

        public String namespace() {
            return namespace;
        }

        /** The missing key, when the object exists but lacks it. */
        public Optional<String> key() {
            return Optional.ofNullable(key);
        }

        /** Who refers to the missing object or key, e.g. {@code env DB_PASSWORD of container "main"}. */
        public List<String> referrers() {
            return referrers;
        }
    }
}
