package io.xdplb.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.UserError;
import io.xdplb.libbpf.Netns;


import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * iproute2's `ip`, for the address, route and neighbour work (`ip -n NS -j ...`): the
 * operator's own tool, so what xdplb does can be read back with the same commands.
 */
public final class IpCommand {
    private IpCommand() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where iproute2 installs `ip` (Debian: /bin/ip, /sbin/ip a link to it); never looked up through $PATH. */
    static final List<Path> CANDIDATES = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"),
            Path.of("/bin/ip"));
    static final long TIMEOUT_SECONDS = 30;

    /**
     * The ip binary: the first candidate that resolves to a regular file owned by root that nobody
     * else may write (xdplb runs as root: a binary another user can replace would run as root too).
     */
    static Path binary() {
        for (Path c : CANDIDATES) {
            try {
                Path real = c.toRealPath();
                PosixFileAttributes a = Files.readAttributes(real, PosixFileAttributes.class);
                int uid = (Integer) Files.getAttribute(real, "unix:uid");
                boolean othersWrite = a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                        || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
                if (a.isRegularFile() && uid == 0 && !othersWrite) return real;
            } catch (IOException | RuntimeException e) {
                // not this one
            }
        }
        throw new UserError("no trustworthy `ip` binary (looked for " + CANDIDATES.stream().map(Path::toString)
                .reduce((x, y) -> x + ", " + y).orElse("") + ": a regular file owned by root, writable only by it);"
                + " install iproute2");
    }

    /**
     * Runs ip [-n ns] args...; returns stdout, or throws a UserError with ip's own message.
     * `ip -n` only knows names under /run/netns: for a namespace path or a container, ip is
     * started from a thread inside that namespace (a child process starts where its parent
     * thread is).
     */
    public static String run(String netns, String... args) {
        if (netns != null && !Netns.isName(netns)) return Netns.run(netns, () -> run(null, args));
        return run(binary().toString(), TIMEOUT_SECONDS, netns, args);
    }

    /**
     * Runs the ip at path, at most timeoutSeconds. Both pipes are read while it runs (a full pipe would
     * block it, and reading one to its end first would wait forever on a hung ip).
     */
    static String run(String path, long timeoutSeconds, String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of(path));
        if (netns != null) cmd.addAll(List.of("-n", netns));
        cmd.addAll(List.of(args));
        String shown = "ip " + String.join(" ", cmd.subList(1, cmd.size()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UserError("cannot run " + path + " (" + e.getMessage() + "); install iproute2");
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new UserError("`" + shown + "`" + " did not finish within " + timeoutSeconds + " s; it was killed");
            }
            byte[] o = out.get(5, TimeUnit.SECONDS);
            byte[] e = err.get(5, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new UserError("`" + shown + "`" + " failed: " + new String(e, StandardCharsets.UTF_8).strip());
            }
            return new String(o, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while running " + "`" + shown + "`");
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new UserError("cannot read the output of " + "`" + shown + "`" + ": " + e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(in.readAllBytes());
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** ip -j [-n ns] args..., parsed. */
    public static JsonNode json(String netns, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "-j";
        System.arraycopy(args, 0, all, 1, args.length);
        String out = run(netns, all);
        try {
            return out.isBlank() ? JSON.createArrayNode() : JSON.readTree(out);
        } catch (IOException e) {
            throw new UserError("cannot parse the JSON of `ip " + String.join(" ", all) + "`: " + e.getMessage());
        }
    }
}
