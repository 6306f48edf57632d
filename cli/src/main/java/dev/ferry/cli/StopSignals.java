package dev.ferry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM as a request to stop, so a long-running command can stop what it started on its
 * own thread and exit 0, instead of the JVM exiting with 130/143 from inside its shutdown hooks. A second signal
 * exits at once (the shutdown hooks of the launchers still stop their child processes).
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way to do this; javac warns about it.
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /** Calls {@code onStop} on the first signal; returns the signals now handled. */
    static List<String> install(Runnable onStop) {
        AtomicInteger received = new AtomicInteger();
        List<String> installed = new ArrayList<>();
        for (String name : List.of("INT", "TERM")) {
            try {
                SignalHandler previous = Signal.handle(new Signal(name), signal -> {
                    if (received.getAndIncrement() == 0) {
                        onStop.run();
                    } else {
                        System.err.println("Second SIG" + signal.getName() + ": exiting without waiting");
                        System.exit(128 + signal.getNumber());
                    }
                });
                if (previous == SignalHandler.SIG_IGN) {
                    // the JVM leaves a signal that was ignored when it started ignored, e.g. SIGINT of a
                    // background job started by a script without job control (cli/bin/ferry undoes that)
                    LOG.warn("SIG{} is ignored by this process, so Ctrl-C does not stop it; use SIGTERM (kill {})",
                            name, ProcessHandle.current().pid());
                } else {
                    installed.add(name);
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("Cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return installed;
    }
}
