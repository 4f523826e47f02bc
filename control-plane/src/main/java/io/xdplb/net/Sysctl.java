package io.xdplb.net;

import io.xdplb.UserError;
import io.xdplb.libbpf.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes net sysctls of a namespace: /proc/sys/net resolves against the
 * namespace of the thread that opens the file, so the I/O runs inside {@link Netns#run}.
 */
public final class Sysctl {
    private Sysctl() {}

    /** name like "net/ipv4/conf/all/arp_ignore" (slashes, since interface names may contain dots). */
    public static String get(String netns, String name) {
        Path p = path(name);
        return Netns.run(netns, () -> {
            try {
                return Files.readString(p).strip();
            } catch (IOException e) {
                throw new UserError("cannot read sysctl " + name + " in " + Netns.describe(netns) + ": " + e.getMessage());
            }
        });
    }

    public static void set(String netns, String name, String value) {
        Path p = path(name);
        Netns.run(netns, () -> {
            try {
                Files.writeString(p, value);
            } catch (IOException e) {
                throw new UserError("cannot set sysctl " + name + "=" + value + " in " + Netns.describe(netns) + ": "
                        + e.getMessage());
            }
        });
    }

    private static Path path(String name) {
        return Path.of("/proc/sys", name);
    }
}
