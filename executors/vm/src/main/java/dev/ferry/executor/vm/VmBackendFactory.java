package dev.ferry.executor.vm;

import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendContext;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.BackendFactory;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshSettings;
import dev.ferry.schema.ConfigException;
import java.nio.file.Path;
import java.util.Optional;

/** {@code backend.type: vm}; its settings are {@code backend.vm} ({@link VmSettings}). */
public final class VmBackendFactory implements BackendFactory {

    @Override
    public String type() {
        return "vm";
    }

    @Override
    public Backend create(BackendContext context) {
        VmSettings settings = context.config().bind(VmSettings.class);
        SshClient ssh;
        try {
            ssh = new SshClient(sshSettings(settings));
        } catch (BackendException e) {
            String key = e.getMessage().startsWith("known_hosts") ? "knownHostsFile" : "identityFile";
            throw new ConfigException(context.config().key(key), e.getMessage());
        }
        return new VmBackend(context.site(), settings, ssh, new StaticProvisioner(), context.clock(), true);
    }

    /** The SSH part of the settings. */
    public static SshSettings sshSettings(VmSettings settings) {
        return new SshSettings(Path.of(settings.identityFile()), Optional.ofNullable(settings.identityPassphraseFile()).map(Path::of),
                Path.of(settings.knownHostsFile()), settings.connectTimeout());
    }
}
