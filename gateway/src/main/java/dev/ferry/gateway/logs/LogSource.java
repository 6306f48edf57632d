package dev.ferry.gateway.logs;

/**
 * Where the kubelet log endpoint gets container output from. Implementations hand out lines in the order the
 * container wrote them, deduplicated, of the run that counts (for Ferry: the pod's latest attempt);
 * {@link KubeletLogServer} applies every query option on top ({@code tailLines}, {@code sinceSeconds},
 * {@code timestamps}, {@code limitBytes}), so a source needs to honour none of them: the query is passed so it can
 * skip work ({@code since} lets it start late) and so it knows whether the reader will follow.
 */
public interface LogSource {

    /**
     * Opens a cursor on one container's output, positioned at its start (or near {@link LogQuery#since()}).
     *
     * @throws LogNotFoundException when the pod or the container is not known; its message is sent to the client
     *                              with 404
     * @throws RuntimeException     when the output cannot be read now (the client gets 500 with the message)
     */
    LogCursor open(LogTarget target, LogQuery query) throws LogNotFoundException;
}
