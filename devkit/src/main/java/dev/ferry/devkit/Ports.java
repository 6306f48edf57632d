package dev.ferry.devkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface. */
public final class Ports {

    private Ports() {
    }

    /**
     * Asks the operating system for a port that is free on 127.0.0.1 right now. The port is released before
     * this returns, so another process can take it in between: callers that bind it later should expect a
     * rare {@link java.net.BindException}.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot get a free port from the operating system", e);
        }
    }
}
