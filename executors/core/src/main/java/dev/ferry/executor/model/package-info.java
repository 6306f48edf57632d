/**
 * The runtime's pure logic: shell quoting and word splitting, Kubernetes quantities, per-pod
 * status sequences, the log rate budget, unsealing of Secret values. No Kafka, no processes, no
 * files; time comes from an injected {@link java.time.Clock}.
 */
package dev.ferry.executor.model;
