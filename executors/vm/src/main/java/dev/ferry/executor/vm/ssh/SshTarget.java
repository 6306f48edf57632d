package dev.ferry.executor.vm.ssh;

import java.util.Objects;

/**
 * One SSH destination.
 *
 * @param name    how Ferry names the host (job ids, pools, messages)
 * @param address host name or IP address
 * @param port    SSH port
 * @param user    login user
 */
public record SshTarget(String name, String address, int port, String user) {
    public SshTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
        }
    }

    /** {@code user@address:port}, for messages. */
    public String display() {
        return user + "@" + address + ":" + port;
    }
}
