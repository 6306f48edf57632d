package dev.ferry.executor.vm;

import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendContext;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.BackendFactory;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import dev.ferry.executor.vm.local.LocalShell;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshSettings;
import dev.ferry.schema.ConfigException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code backend.type: vm}; its settings are {@code backend.vm} ({@link VmSettings}). A site whose
 * hosts are all local ({@code address: local}, e.g. {@link LocalSite}) gets no SSH client and needs
 * no keys; its scripts run with {@link LocalShell#forThisUser()}.
 */
public final class VmBackendFactory implements BackendFactory {

    @Override
    public String type() {
        return "vm";
    }

    @Override
    public Backend create(BackendContext context) {
        VmSettings settings = context.config().bind(VmSettings.class);
        checkLocalHostSupported(settings, context);
        SshClient ssh = null;
        if (settings.usesSsh()) {
            try {
                ssh = new SshClient(sshSettings(settings));
            } catch (BackendException e) {
                String key = e.getMessage().startsWith("known_hosts") ? "knownHostsFile" : "identityFile";
                throw new ConfigException(context.config().key(key), e.getMessage());
            }
        }
        return new VmBackend(context.site(), settings, ssh, null, new StaticProvisioner(), context.clock(), true);
    }

    /** The SSH part of the settings (of a site that {@link VmSettings#usesSsh() uses SSH}). */
    public static SshSettings sshSettings(VmSettings settings) {
        return new SshSettings(Path.of(settings.identityFile()), Optional.ofNullable(settings.identityPassphraseFile()).map(Path::of),
                Path.of(settings.knownHostsFile()), settings.connectTimeout());
    }

    private static void checkLocalHostSupported(VmSettings settings, BackendContext context) {
        for (int i = 0; i < settings.pools().size(); i++) {
            PoolSettings pool = settings.pools().get(i);
            for (int j = 0; j < pool.hosts().size(); j++) {
                HostSettings host = pool.hosts().get(j);
                if (host.isLocal() && !LocalShell.supported()) {
                    throw new ConfigException(context.config().key("pools[" + i + "].hosts[" + j + "].address"), "'" + HostSettings.LOCAL
                            + "' runs pods on this machine, which needs Linux with /proc and /bin/sh (the job scripts use them), and this is "
                            + System.getProperty("os.name") + ": run the executor on Linux, or use a remote host");
                }
            }
        }
    }
}
