package dev.ferry.executor.vm.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the executor logs in: with a private key (never a password), checking every host's key
 * against a known_hosts file.
 *
 * @param identityFile   the private key (OpenSSH or PEM format; ed25519, ECDSA or RSA)
 * @param passphraseFile a file holding the key's passphrase, when it has one
 * @param knownHostsFile known_hosts ({@code [host]:port} entries for non-standard ports, hashed or not); a host whose key is
 *                       missing or different is refused
 * @param connectTimeout how long connecting and authenticating may take
 */
public record SshSettings(Path identityFile, Optional<Path> passphraseFile, Path knownHostsFile, Duration connectTimeout) {
    public SshSettings {
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(passphraseFile, "passphraseFile");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }
}
