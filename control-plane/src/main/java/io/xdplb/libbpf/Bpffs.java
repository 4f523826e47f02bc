package io.xdplb.libbpf;

import io.xdplb.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes sure /sys/fs/bpf is a BPF file system before anything is pinned there. */
public final class Bpffs {
    private Bpffs() {}

    public static final Path ROOT = Path.of("/sys/fs/bpf");

    /**
     * Checks that {@link #ROOT} is a bpffs. A host that simply has not mounted it gets it
     * mounted; inside `ip netns exec` (a private mount namespace whose /sys has no bpffs)
     * we refuse: pins made there would vanish with the command.
     */
    public static void ensureMounted() {
        long type = Libc.fsType(ROOT.toString());
        if (type == Libc.BPF_FS_MAGIC) return;
        String netns = namedNetnsOfThisProcess();
        if (netns != null) {
            throw new UserError(ROOT + " is not mounted inside `ip netns exec " + netns + "` (it gives the command"
                    + " a private /sys): run xdplb from the host namespace with --netns " + netns + " instead");
        }
        if (type < 0 && !Files.isDirectory(ROOT)) {
            throw new UserError(ROOT + " does not exist: this kernel has no BPF file system"
                    + " (CONFIG_BPF_SYSCALL); xdplb needs one");
        }
        try {
            Libc.mountBpffs(ROOT.toString());
        } catch (NativeException e) {
            throw new UserError("could not mount the BPF file system on " + ROOT + " (" + e.getMessage()
                    + "); mount it with: mount -t bpf bpf " + ROOT);
        }
    }

    /**
     * The name of the /run/netns namespace this process runs in, or null. `ip netns exec`
     * gives its command a private mount namespace without the host's bpffs; pinning into a
     * bpffs mounted there would vanish with the command.
     */
    static String namedNetnsOfThisProcess() {
        try {
            Object self = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            if (!Files.isDirectory(Netns.NETNS_DIR)) return null;
            try (var names = Files.list(Netns.NETNS_DIR)) {
                for (Path p : names.toList()) {
                    try {
                        if (self.equals(Files.getAttribute(p, "unix:ino"))) return p.getFileName().toString();
                    } catch (IOException e) {
                        // not a namespace file: skip
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        return null;
    }
}
