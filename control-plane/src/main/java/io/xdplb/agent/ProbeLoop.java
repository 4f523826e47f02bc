package io.xdplb.agent;

import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.Netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The one thread every health check runs on: a selector over the probes' non-blocking sockets
 * and a timer queue (next check, probe deadline), as keepalived's checker is one event loop.
 * A thousand checks a second then cost a few system calls each and no thread hand-offs.
 * While busy, it gathers what became ready for {@link #BATCH_MS} before handling it: a wake-up
 * per loop round instead of one per event (a context switch each), for a delay of at most that
 * much on results that take up to a timeout anyway.
 *
 * The thread enters the director's network namespace before anything else, so every socket
 * it opens, which only it does, belongs to that namespace (a socket takes the namespace of
 * the thread that creates it). Other threads talk to it through {@link #submit}.
 */
final class ProbeLoop implements AutoCloseable {
    /** What a selection key's attachment does when its channel is ready. */
    interface Ready {
        void ready(SelectionKey key);
    }

    /** A scheduled action; cancel() keeps it from running (loop thread only). */
    static final class Timer implements Comparable<Timer> {
        private final long due;
        private final long seq; // ties in due time run in the order they were scheduled
        private final Runnable action;
        private boolean cancelled;

        private Timer(long due, long seq, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due - o.due, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    static final int BATCH_MS = Integer.getInteger("xdplb.probeBatchMs", 4);

    private final String netns;
    private final Selector selector;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile String unusable; // why no probe can run here (the namespace could not be entered)
    private long seq;

    /** Starts the loop in network namespace netns (a name under /run/netns; null: the agent's own). */
    ProbeLoop(String netns) {
        this.netns = netns;
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the health checks", e);
        }
        thread = Thread.ofPlatform().daemon().name("health-checks").start(this::run);
    }

    String netns() {
        return netns;
    }

    Selector selector() {
        return selector;
    }

    /** Null, or why probes cannot run on this loop (every probe fails with it). */
    String unusable() {
        return unusable;
    }

    /** Runs action on the loop thread, soon. */
    void submit(Runnable action) {
        inbox.add(action);
        selector.wakeup();
    }

    /** Runs action at System.nanoTime() == due or later (loop thread only). */
    Timer schedule(long due, Runnable action) {
        Timer t = new Timer(due, seq++, action);
        timers.add(t);
        return t;
    }

    private void run() {
        if (netns != null) {
            try {
                int fd = Libc.openReadOnly(Netns.NETNS_DIR.resolve(netns).toString());
                try {
                    Libc.setnsNet(fd, "netns " + netns);
                } finally {
                    Libc.close(fd);
                }
            } catch (RuntimeException e) {
                unusable = "cannot enter network namespace " + netns + ": " + e.getMessage();
            }
        }
        while (!closed) {
            boolean busy = false;
            Runnable r;
            while ((r = inbox.poll()) != null) safely(r);
            long now = System.nanoTime();
            Timer t;
            while ((t = timers.peek()) != null && t.due - now <= 0) {
                timers.poll();
                if (!t.cancelled) safely(t.action);
                busy = true;
            }
            long waitMs = 0; // 0: until a channel is ready or wakeup()
            if (!inbox.isEmpty()) waitMs = -1;
            else if ((t = timers.peek()) != null) waitMs = Math.max(1, (t.due - System.nanoTime() + 999_999) / 1_000_000);
            try {
                busy |= (waitMs < 0 ? selector.selectNow(this::ready) : selector.select(this::ready, waitMs)) > 0;
            } catch (IOException e) {
                System.err.println("health checks: select failed: " + e.getMessage());
            }
            if (busy && BATCH_MS > 0 && !closed) {
                try {
                    Thread.sleep(BATCH_MS);
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void ready(SelectionKey key) {
        if (key.attachment() instanceof Ready r) safely(() -> r.ready(key));
    }

    /** One check's bug must not stop every other check. */
    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            System.err.println("health checks: " + e);
        }
    }

    /** Stops the loop; its in-flight probes' sockets are closed. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
    }
}
