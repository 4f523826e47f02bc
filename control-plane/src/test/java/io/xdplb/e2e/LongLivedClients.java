package io.xdplb.e2e;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many long-lived HTTP/1.1 connections from the client namespace, each doing a request and
 * reading the answer (the real's name) every ~100 ms on a thread of its own, and remembering
 * what happened: which reals answered, how many answers, and the error that ended it (a reset,
 * a timeout, a close), if any.
 */
final class LongLivedClients implements AutoCloseable {
    static final long PERIOD_MS = 100;

    static final class Conn {
        final HttpConnection http;
        final int port;
        final Set<String> reals = ConcurrentHashMap.newKeySet();
        final AtomicInteger answers = new AtomicInteger();
        volatile String error;          // null while it works
        volatile long lastAnswerNanos;

        Conn(HttpConnection http) {
            this.http = http;
            this.port = http.localPort();
        }

        String firstReal() {
            return reals.isEmpty() ? null : reals.iterator().next();
        }

        boolean reset() {
            return error != null && error.toLowerCase().contains("reset");
        }
    }

    private final List<Conn> conns = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    LongLivedClients(String clientNetns, String vip, int port, int count, int readTimeoutMs) throws IOException {
        for (int i = 0; i < count; i++) {
            Conn c = new Conn(new HttpConnection(clientNetns, vip, port, readTimeoutMs));
            c.reals.add(c.http.get());
            c.answers.incrementAndGet();
            c.lastAnswerNanos = System.nanoTime();
            conns.add(c);
        }
        for (Conn c : conns) threads.add(Thread.ofVirtual().start(() -> loop(c)));
    }

    private void loop(Conn c) {
        while (!stop) {
            try {
                Thread.sleep(PERIOD_MS);
                String real = c.http.get();
                c.reals.add(real);
                c.answers.incrementAndGet();
                c.lastAnswerNanos = System.nanoTime();
            } catch (InterruptedException e) {
                return;
            } catch (SocketTimeoutException e) {
                c.error = "timeout: " + e.getMessage();
                return;
            } catch (IOException e) {
                if (!stop) c.error = e.getClass().getSimpleName() + ": " + e.getMessage();
                return;
            }
        }
    }

    List<Conn> conns() {
        return conns;
    }

    @Override
    public void close() {
        stop = true;
        for (Thread t : threads) {
            try {
                t.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Conn c : conns) {
            try {
                c.http.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
