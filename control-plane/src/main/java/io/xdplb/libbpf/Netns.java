package io.xdplb.libbpf;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work inside a named network namespace, like {@code ip -n NS}: a new platform
 * thread opens /run/netns/NS, calls setns(CLONE_NEWNET) on itself, runs the task and
 * ends, so no other thread (and no pooled thread) ever sees the switched namespace.
 * The mount namespace is untouched, so BPF pins still resolve in the host's bpffs.
 */
public final class Netns {
    private Netns() {}

    public static final Path NETNS_DIR = Path.of("/run/netns");

    /** Runs task in namespace ns, or on the calling thread when ns is null. */
    public static <T> T run(String ns, Callable<T> task) {
        if (ns == null) return call(task);
        Path file = NETNS_DIR.resolve(ns);
        if (ns.isEmpty() || ns.contains("/") || !Files.exists(file)) {
            throw new UserError("network namespace " + Messages.quote(ns) + " does not exist (no " + file
                    + "); see `ip netns list`, or create it with `ip netns add " + ns + "`");
        }
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

    /** "netns NS" or "the host namespace", for messages. */
    public static String describe(String ns) {
        return ns == null ? "the host namespace" : "netns " + ns;
    }
}
