package dev.ferry.executor.htcondor;

import dev.ferry.executor.htcondor.model.SubmitDescription.Owner;
import dev.ferry.executor.htcondor.model.SubmitDescription.PodPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The pod directories on this machine's file system. {@code root} maps the paths HTCondor and the
 * jobs see to this process's view ({@code /} locally, the tree's root for a chroot). When a job user
 * is given (the executor runs as root and the jobs as that user), paths the job owns are handed to
 * it, and the executor's own paths get the user's group so the job can read them but not replace
 * them. Nothing here follows a symbolic link: a job could plant one where the executor looks.
 */
public final class PodDirectories {

    private final Path root;
    private final Optional<UnixUser> jobUser;

    /**
     * @param root    where the paths HTCondor sees start on this machine
     * @param jobUser the user the jobs run as, when it differs from this process's
     */
    public PodDirectories(Path root, Optional<UnixUser> jobUser) {
        this.root = root;
        this.jobUser = jobUser;
    }

    /** This machine's path for {@code path} as HTCondor sees it (absolute). */
    public Path local(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not absolute: " + path);
        }
        return root.resolve(path.substring(1));
    }

    /**
     * Creates {@code podDir} afresh (an earlier attempt to submit may have left one) with {@code paths}
     * in it.
     */
    public void write(String workDir, String podDir, List<PodPath> paths) throws IOException {
        Path work = local(workDir);
        if (!Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(work);
        }
        Path dir = local(podDir);
        if (!dir.getParent().equals(work)) {
            throw new IOException(podDir + " is not directly inside " + workDir);
        }
        deleteIfExists(dir);
        Files.createDirectory(dir);
        settle(dir, 0750, Owner.EXECUTOR);
        for (PodPath p : paths) {
            Path target = dir.resolve(p.path()).normalize();
            if (!target.startsWith(dir) || target.equals(dir)) {
                throw new IOException(p.path() + " would be outside the pod directory");
            }
            if (p.directory()) {
                Files.createDirectory(target);
            } else {
                try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
                    channel.write(ByteBuffer.wrap(p.content()));
                }
            }
            settle(target, p.mode(), p.owner());
        }
    }

    /** Up to {@code max} bytes of the file from {@code offset}; empty when it is not there (yet). */
    public byte[] read(String podDir, String relative, long offset, int max) throws IOException {
        Path file = local(podDir).resolve(relative);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            if (offset >= size || max <= 0) {
                return new byte[0];
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(max, size - offset));
            channel.position(offset);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading until full or end of file
            }
            buffer.flip();
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            return out;
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            if (isLinkRefusal(e)) {
                throw new IOException(file + " is a symbolic link; not followed");
            }
            throw e;
        }
    }

    /** A small text file (at most 4 KiB), if it is there. */
    public Optional<String> readSmall(String podDir, String relative) {
        try {
            byte[] data = read(podDir, relative, 0, 4096);
            return data.length == 0 ? Optional.empty() : Optional.of(new String(data, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void settle(Path path, int mode, Owner owner) throws IOException {
        if (jobUser.isPresent()) {
            UnixUser user = jobUser.get();
            if (owner == Owner.JOB) {
                Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
            }
            Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.setPosixFilePermissions(path, permissions(mode));
    }

    private static void deleteIfExists(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(dir);
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    private static boolean isLinkRefusal(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Too many levels of symbolic links") || m.contains("ELOOP");
    }

    /** For tests: whether {@code path} exists (without following links). */
    boolean exists(String podDir, String relative) {
        return Files.exists(local(podDir).resolve(relative), LinkOption.NOFOLLOW_LINKS);
    }
}
