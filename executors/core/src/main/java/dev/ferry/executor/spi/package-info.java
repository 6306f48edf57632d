/**
 * The backend SPI: what a site's batch system or VM pool must offer the executor runtime, shaped
 * on virtual-kubelet's provider. A {@link dev.ferry.executor.spi.Backend} submits, cancels, polls
 * many jobs in one call, reads container logs by offset, discovers its pools and lists the jobs it
 * owns. It knows nothing about Kafka: its vocabulary is the records in this package, and the
 * runtime ({@code dev.ferry.executor}) turns them into events.
 *
 * <p>Contract in one paragraph: every job carries a {@link dev.ferry.executor.spi.JobIdentity}
 * (pod UID, attempt, ...) that the backend stores with the job and hands back from
 * {@link dev.ferry.executor.spi.Backend#listOwned()}, so a restarted executor finds what an earlier
 * one submitted and never submits the same pod attempt twice. Failures are
 * {@link dev.ferry.executor.spi.BackendException}s whose
 * {@link dev.ferry.executor.spi.BackendException.Reason} decides between failing the pod
 * ({@code REJECTED}) and retrying later ({@code UNAVAILABLE}).
 */
package dev.ferry.executor.spi;
