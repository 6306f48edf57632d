package dev.ferry.router;

import dev.ferry.events.CommandType;
import dev.ferry.events.JobCommand;
import java.time.Instant;
import java.util.Objects;

/**
 * A RUN {@link JobCommand} whose intent is still in the bytes the router carries ({@link IntentBytes}), so that
 * {@link JobCommandSerializer} can write it without decoding and encoding the pod again.
 *
 * @param commandId the command's id
 * @param pod       the pod
 * @param site      the site whose {@code jobs.<site>} topic it goes to
 * @param poolId    the pool that reserved it
 * @param attempt   the routing attempt
 * @param intent    the CREATE intent, single-object encoded
 * @param reason    why this pool (for the executor's log)
 * @param issuedAt  when, epoch milliseconds
 */
record RunCommand(String commandId, PodId pod, String site, String poolId, int attempt, byte[] intent, String reason,
                  long issuedAt) {

    RunCommand {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(intent, "intent");
    }

    /** The same command as an Avro record (decodes the intent). */
    JobCommand toJobCommand() {
        // the all-arguments constructor: see Decisions
        return new JobCommand(commandId, CommandType.RUN, pod.toRef(), site, poolId, attempt, IntentBytes.decode(intent),
                reason, Instant.ofEpochMilli(issuedAt));
    }
}
