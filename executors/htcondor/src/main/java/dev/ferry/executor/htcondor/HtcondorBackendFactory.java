package dev.ferry.executor.htcondor;

import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.BackendContext;
import dev.ferry.executor.spi.BackendFactory;
import dev.ferry.executor.spi.CommandRunner;
import dev.ferry.schema.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code backend.type: htcondor}; its settings are {@code backend.htcondor} ({@link HtcondorSettings}).
 * With {@code chroot} set, the context's runner is wrapped in a {@link ChrootCommandRunner} and pod
 * directories are written into the tree and handed to the chroot's user.
 */
public final class HtcondorBackendFactory implements BackendFactory {

    @Override
    public String type() {
        return "htcondor";
    }

    @Override
    public Backend create(BackendContext context) {
        HtcondorSettings settings = context.config().bind(HtcondorSettings.class);
        CommandRunner runner = context.runner();
        PodDirectories directories = new PodDirectories(Path.of("/"), Optional.empty());
        if (settings.chroot() != null) {
            UnixUser user = chrootUser(settings.chroot(), context.config().key("chroot"));
            runner = new ChrootCommandRunner(runner, settings.chroot().dir(), user);
            directories = new PodDirectories(Path.of(settings.chroot().dir()), Optional.of(user));
        }
        return new HtcondorBackend(context.site(), settings, runner, directories, context.clock());
    }

    /** The chroot's user, from the tree's own {@code /etc/passwd}. */
    public static UnixUser chrootUser(HtcondorSettings.Chroot chroot, String key) {
        Path passwd = Path.of(chroot.dir(), "etc", "passwd");
        String text;
        try {
            text = Files.readString(passwd, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(key + ".dir", "cannot read " + passwd + " (" + e.getMessage() + "): is " + chroot.dir()
                    + " the root of a tree with HTCondor in it?");
        }
        return UnixUser.find(text, chroot.user()).orElseThrow(() -> new ConfigException(key + ".user", "there is no user '"
                + chroot.user() + "' in " + passwd));
    }
}
