package io.xdplb.agent;

import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.Netns;
import io.xdplb.libbpf.SocketIo;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The one thread every health check runs on: an epoll set over the probes' non-blocking sockets
 * (plain system calls through {@link SocketIo}) and a timer queue (next check, probe deadline),
 * as keepalived's checker is one event loop. A thousand checks a second then cost a few system
 * calls each and no thread hand-offs.
 * While busy, it gathers what became ready for {@link #BATCH_MS} before handling it: a wake-up
 * per loop round instead of one per event (a context switch each), for a delay of at most that
 * much on results that take up to a timeout anyway.
 *
 * The thread enters the director's network namespace before anything else, so every socket
 * it opens, which only it does, belongs to that namespace (a socket takes the namespace of
 * the thread that creates it). Other threads talk to it through {@link #submit}.
 */
final class ProbeLoop implements AutoCloseable {
    /** What a watched socket's owner does when epoll reports events (EPOLLIN, EPOLLOUT, ...) on it. */
    interface Ready {
        void ready(int events);
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

    /** Room for the largest send or receive a probe makes (an HTTP request, a status line). */
    private static final int BUFFER_BYTES = 4096;

    private final String netns;
    /** A socket in the epoll set: who gets its events, and its fd (closed if the loop stops first). */
    private record Watched(Ready ready, int fd) {}

    private final Map<Long, Watched> watched = new HashMap<>(); // by epoll token (loop thread only)
    private volatile SocketIo io; // made by the loop thread, in the namespace
    private long nextToken = 1;   // 0 is SocketIo's wake-up
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile String unusable; // why no probe can run here (the namespace could not be entered)
    private long seq;

    /** Starts the loop in network namespace netns (a name under /run/netns; null: the agent's own). */
    ProbeLoop(String netns) {
        this.netns = netns;
        thread = Thread.ofPlatform().daemon().name("health-checks").start(this::run);
    }

    String netns() {
        return netns;
    }

    /** The loop's sockets (loop thread only). */
    SocketIo io() {
        return io;
    }

    /**
     * Watches fd for events; ready gets them until {@link #forget}. Returns the token to forget
     * it by, or a negative errno.
     */
    long watch(int fd, int events, Ready ready) {
        long token = nextToken++;
        int rc = io.watch(fd, events, token);
        if (rc < 0) return rc;
        watched.put(token, new Watched(ready, fd));
        return token;
    }

    /** Stops reporting events of token's socket and closes it. */
    void forget(long token, int fd) {
        watched.remove(token);
        io.close(fd);
    }

    /** Null, or why probes cannot run on this loop (every probe fails with it). */
    String unusable() {
        return unusable;
    }

    /** Runs action on the loop thread, soon. */
    void submit(Runnable action) {
        inbox.add(action);
        SocketIo i = io;
        if (i != null) i.wake(); // before io exists, the loop has not started waiting yet
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
        try {
            io = new SocketIo(BUFFER_BYTES);
        } catch (RuntimeException e) {
            if (unusable == null) unusable = "cannot set up the health checks' sockets: " + e.getMessage();
            drainWithoutIo();
            return;
        }
        while (!closed) {
            boolean busy = runDue();
            Timer t;
            int waitMs = -1; // until a socket is ready or a wake()
            if (!inbox.isEmpty()) waitMs = 0;
            else if ((t = timers.peek()) != null) waitMs = (int) Math.max(1, (t.due - System.nanoTime() + 999_999) / 1_000_000);
            int n;
            try {
                n = io.await(waitMs);
            } catch (RuntimeException e) {
                System.err.println("health checks: " + e.getMessage());
                n = 0;
                busy = true; // not a tight loop of the same error: the batching pause below
            }
            for (int i = 0; i < n; i++) {
                Watched w = watched.get(io.token(i)); // null: the wake-up, or a probe already done
                if (w != null) {
                    int events = io.events(i);
                    safely(() -> w.ready().ready(events));
                    busy = true;
                }
            }
            if (busy && BATCH_MS > 0 && !closed) {
                try {
                    Thread.sleep(BATCH_MS);
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
        for (Watched w : watched.values()) io.close(w.fd());
        io.close();
    }

    /** Without sockets every probe fails at once with {@link #unusable}; runs the inbox until closed. */
    private void drainWithoutIo() {
        while (!closed) {
            runDue();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Runs what was submitted, then every timer that is due; whether any timer ran. */
    private boolean runDue() {
        Runnable r;
        while ((r = inbox.poll()) != null) safely(r);
        long now = System.nanoTime();
        boolean ran = false;
        Timer t;
        while ((t = timers.peek()) != null && t.due - now <= 0) {
            timers.poll();
            if (!t.cancelled) safely(t.action);
            ran = true;
        }
        return ran;
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
        SocketIo i = io;
        if (i != null) i.wake();
    }
}
