package dev.ferry.executor.htcondor;

import java.util.Optional;

/**
 * A user from an {@code /etc/passwd} file: {@code name:x:uid:gid:gecos:home:shell}.
 *
 * @param name the login name
 * @param uid  the numeric user id
 * @param gid  the numeric primary group id
 * @param home the home directory
 */
public record UnixUser(String name, int uid, int gid, String home) {

    /** The entry for {@code name} in the text of a passwd file. */
    public static Optional<UnixUser> find(String passwd, String name) {
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && f[0].equals(name)) {
                try {
                    return Optional.of(new UnixUser(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5].isEmpty() ? "/" : f[5]));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
