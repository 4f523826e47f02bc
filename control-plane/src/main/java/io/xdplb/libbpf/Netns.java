package io.xdplb.libbpf;

import io.xdplb.Messages;
import io.xdplb.UserError;
import io.xdplb.net.DockerEngine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work inside a network namespace, like {@code ip -n NS}: a new platform thread opens
 * the namespace's file, calls setns(CLONE_NEWNET) on itself, runs the task and ends, so no
 * other thread (and no pooled thread) ever sees the switched namespace. The mount namespace
 * is untouched, so BPF pins still resolve in the host's bpffs.
 *
 * <p>A namespace is named in one of three ways (the same everywhere: --netns, pins, records,
 * the configuration file):
 * <ul>
 *   <li>{@code NAME}: /run/netns/NAME, as `ip netns add` makes them;</li>
 *   <li>{@code /PATH}: a namespace file, e.g. /proc/PID/ns/net, as {@code nsenter --net=} takes it;</li>
 *   <li>{@code container:NAME_OR_ID}: the namespace of a running Docker container, asked of the
 *       engine (DOCKER_HOST) each time it is entered, so a restarted container is found anew.</li>
 * </ul>
 */
public final class Netns {
    private Netns() {}

    public static final Path NETNS_DIR = Path.of("/run/netns");
    public static final String CONTAINER = "container:";

    public static boolean isContainer(String ns) {
        return ns != null && ns.startsWith(CONTAINER);
    }

    public static boolean isPath(String ns) {
        return ns != null && ns.startsWith("/");
    }

    /** A name under /run/netns (what `ip -n` takes), rather than a path or a container. */
    public static boolean isName(String ns) {
        return ns != null && !isPath(ns) && !isContainer(ns);
    }

    /** The namespace's file now: /run/netns/NAME, the path itself, or /proc/PID/ns/net of the container. */
    public static Path file(String ns) {
        if (isContainer(ns)) return DockerEngine.fromEnvironment().running(ns.substring(CONTAINER.length())).netnsPath();
        Path file = isPath(ns) ? Path.of(ns) : NETNS_DIR.resolve(ns);
        if (ns.isEmpty() || (!isPath(ns) && ns.contains("/")) || !Files.exists(file)) {
            throw new UserError(isPath(ns) ? "network namespace file " + Messages.quote(ns)
                    + " does not exist (is its process gone?)"
                    : "network namespace " + Messages.quote(ns) + " does not exist (no " + file
                    + "); see `ip netns list`, or create it with `ip netns add " + ns + "`");
        }
        return file;
    }

    /** Whether the namespace exists now (a container: whether it runs). */
    public static boolean exists(String ns) {
        if (ns == null) return true;
        try {
            file(ns);
            return true;
        } catch (UserError e) {
            return false;
        }
    }

    /** Runs task in namespace ns, or on the calling thread when ns is null. */
    public static <T> T run(String ns, Callable<T> task) {
        if (ns == null) return call(task);
        Path file = file(ns);
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + ns).start(() -> {
            try {
                int fd = Libc.openReadOnly(file.toString());
                try {
                    Libc.setnsNet(fd, file.toString());
                } finally {
                    Libc.close(fd);
                }
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in network namespace " + ns, e);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error err) throw err;
        if (e != null) throw new IllegalStateException(e);
        return result.get();
    }

    public static void run(String ns, Runnable task) {
        run(ns, () -> {
            task.run();
            return null;
        });
    }

    private static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** "netns NS", "container NAME" or "the host namespace", for messages. */
    public static String describe(String ns) {
        if (ns == null) return "the host namespace";
        return isContainer(ns) ? "container " + ns.substring(CONTAINER.length()) : "netns " + ns;
    }
}
