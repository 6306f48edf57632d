package dev.ferry.gateway.logs;

/** The pod or container a log request names is not known; the message says which, as a kubelet would. */
public class LogNotFoundException extends Exception {

    public LogNotFoundException(String message) {
        super(message);
    }

    /** For a pod the source has never heard of. */
    public static LogNotFoundException pod(LogTarget target) {
        return new LogNotFoundException("pod \"" + target.pod() + "\" in namespace \"" + target.namespace()
                + "\" not found");
    }

    /** For a container the pod does not have. */
    public static LogNotFoundException container(LogTarget target) {
        return new LogNotFoundException("container \"" + target.container() + "\" in pod \"" + target.pod()
                + "\" in namespace \"" + target.namespace() + "\" not found");
    }
}
