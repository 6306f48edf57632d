package dev.ferry.executor.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A site's batch system or VM pool, as the executor runtime drives it. Implementations are called
 * from one runtime thread at a time and must not know about Kafka.
 *
 * <p>Idempotence is the runtime's job, identity is the backend's: {@link #submit} must store the
 * request's {@link JobIdentity} with the job (Slurm: job name and comment; HTCondor: job ClassAd
 * attributes; VM: files in the job's directory) so that {@link #listOwned()} can return it after a
 * restart. Before each batch of submissions the runtime calls {@link #listOwned()} and adopts
 * existing jobs instead of submitting again.
 *
 * <p>Cost contract: {@link #poll} answers for all the given jobs with a constant number of
 * backend queries per call (Slurm: one {@code squeue}; one {@code sacct} only for jobs the
 * controller has already forgotten), never one query per job.
 */
public interface Backend extends AutoCloseable {

    /** A short lower-case name, e.g. {@code slurm}; used in pool labels and log lines. */
    String type();

    /**
     * Submits one pod attempt. Called only after {@link #listOwned()} showed no job with the same
     * {@link JobIdentity#podUid()} and {@link JobIdentity#attempt()}.
     *
     * @return the handle to poll, cancel and read logs with
     * @throws BackendException {@code REJECTED} when this pod can never run here as written (bad
     *         flag, unknown partition, ...; the message names what to change), {@code UNAVAILABLE}
     *         when the backend cannot be reached and the submission should be retried
     */
    JobHandle submit(JobRequest request) throws BackendException;

    /**
     * Asks the backend to stop the job. Returns once the request is accepted; the job's final
     * state arrives through {@link #poll}. Cancelling a job that has already finished or that
     * the backend no longer knows is not an error.
     */
    void cancel(JobHandle job) throws BackendException;

    /**
     * The current status of every given job, in one round of backend queries. A job the backend
     * has no record of at all is absent from the result (the runtime decides when absence means
     * lost); every other job is present, finished ones with their final state.
     */
    Map<JobHandle, JobStatus> poll(Collection<JobHandle> jobs) throws BackendException;

    /**
     * Every job of this site the backend still holds (queued, running, and finished ones it has
     * not yet forgotten), with the identity stored at submission. Jobs of other sites or not
     * submitted by Ferry are not included.
     */
    List<JobHandle> listOwned() throws BackendException;

    /**
     * Up to {@code maxBytes} of one container stream, starting at byte {@code offset}. Returns an
     * empty array when nothing is there (yet); never blocks waiting for output.
     */
    byte[] readLog(JobHandle job, String container, LogStreamKind stream, long offset, int maxBytes) throws BackendException;

    /** The pools this site offers now, e.g. one per Slurm partition. */
    List<PoolInfo> discoverPools() throws BackendException;

    /** Releases what the backend holds (connections, threads); jobs keep running. */
    @Override
    default void close() {
    }
}
