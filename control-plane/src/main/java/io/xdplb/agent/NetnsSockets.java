package io.xdplb.agent;

import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.Netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Opens probe sockets in the director's network namespace. A socket belongs to the namespace
 * of the thread that created it, so one platform thread enters the namespace once and creates
 * every probe socket; the probes then use them from their own virtual threads.
 */
final class NetnsSockets implements AutoCloseable {
    private ExecutorService thread;
    private String netns;

    /** Sockets from now on come from this namespace (null: the agent's own). */
    synchronized void use(String ns) {
        if (thread != null && Objects.equals(ns, netns)) return;
        if (thread != null) thread.shutdown();
        netns = ns;
        thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("probe-sockets").unstarted(() -> {
            if (ns != null) {
                int fd = Libc.openReadOnly(Netns.NETNS_DIR.resolve(ns).toString());
                try {
                    Libc.setnsNet(fd, "netns " + ns);
                } finally {
                    Libc.close(fd);
                }
            }
            r.run();
        }));
    }

    SocketChannel tcp() throws IOException {
        return call(SocketChannel::open);
    }

    DatagramChannel udp() throws IOException {
        return call(DatagramChannel::open);
    }

    private interface Opener<T> {
        T open() throws IOException;
    }

    private <T> T call(Opener<T> o) throws IOException {
        ExecutorService t;
        synchronized (this) {
            if (thread == null) use(null);
            t = thread;
        }
        try {
            return t.submit(() -> {
                try {
                    return o.open();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IOException("the probe namespace changed; next check");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        }
    }

    @Override
    public synchronized void close() {
        if (thread != null) thread.shutdownNow();
        thread = null;
    }
}
