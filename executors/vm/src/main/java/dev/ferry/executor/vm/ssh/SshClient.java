package dev.ferry.executor.vm.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.Session;
import dev.ferry.executor.spi.BackendException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on remote hosts over SSH (JSch), one connection per host kept open and one
 * channel per command. Authentication is by key only; every host's key is checked against the
 * known_hosts file (re-read at each new connection), and a host that is missing from it, or whose
 * key differs, is refused with a message saying what to do.
 *
 * <p>Thread-safe: commands to the same host may run concurrently (one channel each).
 */
public final class SshClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshClient.class);

    static {
        JSch.setLogger(new JschLogger());
    }

    private final SshSettings settings;
    private final JSch jsch = new JSch();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> execs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-ssh-timeouts");
        t.setDaemon(true);
        return t;
    });

    /**
     * @throws BackendException {@code FAILED} when the key cannot be read or parsed (the message names the file)
     */
    public SshClient(SshSettings settings) throws BackendException {
        this.settings = settings;
        try {
            if (settings.passphraseFile().isPresent()) {
                byte[] passphrase = Files.readString(settings.passphraseFile().get(), StandardCharsets.UTF_8).strip()
                        .getBytes(StandardCharsets.UTF_8);
                jsch.addIdentity(settings.identityFile().toString(), passphrase);
            } else {
                jsch.addIdentity(settings.identityFile().toString());
            }
        } catch (JSchException | IOException e) {
            throw new BackendException(BackendException.Reason.FAILED, "cannot use the SSH key " + settings.identityFile() + ": "
                    + e.getMessage() + " (an OpenSSH or PEM private key, ed25519 or RSA; a passphrase goes in identityPassphraseFile)", e);
        }
        if (!Files.isReadable(settings.knownHostsFile())) {
            throw new BackendException(BackendException.Reason.FAILED, "known_hosts file " + settings.knownHostsFile()
                    + " is missing or not readable: host keys are always verified (fill it with: ssh-keyscan -p PORT HOST >> FILE,"
                    + " after checking the fingerprints)");
        }
    }

    /**
     * Runs {@code command} (a command line the remote user's shell interprets: quote every word)
     * with {@code stdin} as its standard input, and waits for it.
     *
     * @throws BackendException {@code UNAVAILABLE} when the host cannot be reached, refuses the key,
     *         its host key is unknown or changed, or the command does not finish within {@code timeout}
     */
    public ExecResult exec(SshTarget target, String command, byte[] stdin, Duration timeout) throws BackendException {
        long start = System.nanoTime();
        execs.computeIfAbsent(target.name(), k -> new LongAdder()).increment();
        ChannelExec channel = null;
        for (int attempt = 0; channel == null; attempt++) {
            Session session = session(target);
            try {
                channel = (ChannelExec) session.openChannel("exec");
                channel.setCommand(command);
                channel.setInputStream(new ByteArrayInputStream(stdin == null ? new byte[0] : stdin));
            } catch (JSchException e) {
                // the connection broke while idle; the command was not sent, so it is safe to try once more
                drop(target, session);
                channel = null;
                if (attempt > 0) {
                    throw unavailable(target, "cannot open a channel", e);
                }
            }
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        channel.setErrStream(err, true);
        AtomicBoolean timedOut = new AtomicBoolean();
        ChannelExec ch = channel;
        ScheduledFuture<?> watchdog = timer.schedule(() -> {
            timedOut.set(true);
            ch.disconnect();
        }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        try {
            InputStream out = channel.getInputStream();
            channel.connect((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
            byte[] stdout = out.readAllBytes();
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!channel.isClosed() && !timedOut.get() && System.nanoTime() < closeDeadline) {
                Thread.sleep(1);
            }
            if (timedOut.get()) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "command on " + target.display() + " did not finish within "
                        + timeout + " and was abandoned");
            }
            int status = channel.getExitStatus();
            String stderr = err.toString(StandardCharsets.UTF_8);
            return new ExecResult(status < 0 ? 255 : status, stdout, stderr, Duration.ofNanos(System.nanoTime() - start));
        } catch (JSchException e) {
            drop(target, null);
            throw unavailable(target, "cannot run a command", e);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new BackendException(BackendException.Reason.UNAVAILABLE, "command on " + target.display() + " did not finish within "
                        + timeout + " and was abandoned", e);
            }
            drop(target, null);
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "connection to " + target.display() + " broke: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "interrupted while running a command on " + target.display(), e);
        } finally {
            watchdog.cancel(false);
            channel.disconnect();
        }
    }

    /** How many commands were sent, per host name; for benchmarks and tests. */
    public Map<String, Long> execCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        execs.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Commands sent to one host so far. */
    public long execCount(String host) {
        LongAdder n = execs.get(host);
        return n == null ? 0 : n.sum();
    }

    /** Closes the connection to {@code target}; the next command opens a new one. */
    public void disconnect(SshTarget target) {
        drop(target, null);
    }

    @Override
    public void close() {
        sessions.values().forEach(Session::disconnect);
        sessions.clear();
        timer.shutdownNow();
    }

    private Session session(SshTarget target) throws BackendException {
        String key = key(target);
        Session existing = sessions.get(key);
        if (existing != null && existing.isConnected()) {
            return existing;
        }
        synchronized (this) {
            existing = sessions.get(key);
            if (existing != null && existing.isConnected()) {
                return existing;
            }
            try {
                jsch.setKnownHosts(settings.knownHostsFile().toString());
                Session session = jsch.getSession(target.user(), target.address(), target.port());
                session.setConfig("StrictHostKeyChecking", "yes");
                session.setConfig("PreferredAuthentications", "publickey");
                session.setServerAliveInterval(15_000);
                session.setServerAliveCountMax(3);
                session.connect((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
                sessions.put(key, session);
                LOG.debug("connected to {}", target.display());
                return session;
            } catch (JSchException e) {
                throw unavailable(target, "cannot connect", e);
            }
        }
    }

    private void drop(SshTarget target, Session session) {
        Session s = session != null ? session : sessions.get(key(target));
        if (s != null) {
            sessions.remove(key(target), s);
            s.disconnect();
        }
    }

    private BackendException unavailable(SshTarget target, String what, JSchException e) {
        String file = settings.knownHostsFile().toString();
        String message;
        if (e instanceof JSchChangedHostKeyException) {
            message = "refusing " + target.display() + ": its host key does not match the one recorded in " + file
                    + " (a rebuilt VM, or someone in between). If the VM was rebuilt, remove its old line from " + file
                    + " and add the new key after checking its fingerprint";
        } else if (e instanceof JSchUnknownHostKeyException) {
            message = "refusing " + target.display() + ": its host key is not in " + file + " (add it after checking the fingerprint: ssh-keyscan -p "
                    + target.port() + " " + target.address() + " >> " + file + ")";
        } else if (String.valueOf(e.getMessage()).contains("Auth fail")
                || String.valueOf(e.getMessage()).contains("USERAUTH fail")) {
            message = "key " + settings.identityFile() + " was not accepted by " + target.display() + " (is its public key in ~"
                    + target.user() + "/.ssh/authorized_keys there?)";
        } else {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            message = what + " to " + target.display() + ": " + cause.getMessage();
        }
        return new BackendException(BackendException.Reason.UNAVAILABLE, message, e);
    }

    private static String key(SshTarget target) {
        return target.user() + "@" + target.address() + ":" + target.port();
    }

    /** JSch's chatter at debug; its warnings and errors as such. */
    private static final class JschLogger implements com.jcraft.jsch.Logger {
        private static final Logger JSCH = LoggerFactory.getLogger("com.jcraft.jsch");

        @Override
        public boolean isEnabled(int level) {
            return level >= WARN ? JSCH.isWarnEnabled() : JSCH.isDebugEnabled();
        }

        @Override
        public void log(int level, String message) {
            if (level >= ERROR) {
                JSCH.error(message);
            } else if (level == WARN) {
                JSCH.warn(message);
            } else {
                JSCH.debug(message);
            }
        }
    }
}
