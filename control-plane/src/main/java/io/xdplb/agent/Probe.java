package io.xdplb.agent;

import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.SocketIo;
import io.xdplb.model.HealthCheck;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Vip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static io.xdplb.libbpf.SocketIo.EPOLLERR;
import static io.xdplb.libbpf.SocketIo.EPOLLET;
import static io.xdplb.libbpf.SocketIo.EPOLLHUP;
import static io.xdplb.libbpf.SocketIo.EPOLLIN;
import static io.xdplb.libbpf.SocketIo.EPOLLOUT;

/**
 * One health check in flight: an ordinary socket to VIP:port, marked so that the director's tc
 * egress program sends it through the tunnel to one real. Non-blocking, driven by its
 * {@link ProbeLoop}: connect, (HTTP) send the request and read the status line, or (UDP) send
 * the payload and wait for any answer; a deadline of the check's timeout ends it either way.
 * TCP sockets are closed with a reset (SO_LINGER 0), as HAProxy's checks are: a check a second
 * per real then leaves no TIME_WAIT socket behind on the director. Loop thread only.
 */
final class Probe implements ProbeLoop.Ready {
    /** What a check found: passed, or why not, and how long it took. */
    record Result(boolean passed, String error, double seconds) {}

    /** The longest status line read (the rest of the answer is not needed). */
    static final int STATUS_LINE_MAX = 200;

    private final ProbeLoop loop;
    private final SocketIo io;
    private final HealthCheck check;
    private final Vip vip;
    private final Consumer<Result> done;
    private final long start = System.nanoTime();
    private ProbeLoop.Timer deadline;
    private int fd = -1;
    private long token = -1;
    private byte[] out, in;
    private int sent, received;
    private boolean connected, finished;

    private Probe(ProbeLoop loop, HealthCheck check, Vip vip, Consumer<Result> done) {
        this.loop = loop;
        this.io = loop.io();
        this.check = check;
        this.vip = vip;
        this.done = done;
    }

    /** Starts one check of vip marked mark; done gets its result, on the loop thread. */
    static void start(ProbeLoop loop, HealthCheck check, Vip vip, int mark, Consumer<Result> done) {
        new Probe(loop, check, vip, done).begin(mark);
    }

    private void begin(int mark) {
        if (loop.unusable() != null) {
            finish(loop.unusable());
            return;
        }
        if (check.kind() == HealthCheck.Kind.NONE) {
            finish(null);
            return;
        }
        deadline = loop.schedule(start + check.timeoutMs() * 1_000_000L, this::timedOut);
        boolean udp = check.kind() == HealthCheck.Kind.UDP;
        int family = vip.address() instanceof Inet4Address ? SocketIo.AF_INET : SocketIo.AF_INET6;
        int rc = io.socket(family, udp ? SocketIo.SOCK_DGRAM : SocketIo.SOCK_STREAM);
        if (rc < 0) {
            finish("socket: " + Libc.strerror(-rc));
            return;
        }
        fd = rc;
        if ((rc = io.setMark(fd, mark)) < 0) {
            finish("SO_MARK " + mark + ": " + Libc.strerror(-rc));
            return;
        }
        if (!udp && (rc = io.resetOnClose(fd)) < 0) {
            finish("SO_LINGER: " + Libc.strerror(-rc));
            return;
        }
        rc = io.connect(fd, vip.address(), check.portFor(vip));
        if (rc < 0 && rc != -SocketIo.EINPROGRESS) {
            finish("connect: " + Libc.strerror(-rc));
            return;
        }
        // edge-triggered: one report per change (connected, data arrived, closed), not one per round
        long t = loop.watch(fd, (udp ? EPOLLIN : EPOLLIN | EPOLLOUT) | EPOLLET, this);
        if (t < 0) {
            finish("epoll: " + Libc.strerror((int) -t));
            return;
        }
        token = t;
        if (udp) {
            // the default payload is an empty datagram: "any answer" from the service, or a port unreachable
            long n = io.send(fd, check.payload().getBytes(StandardCharsets.UTF_8), 0);
            if (n < 0) finish("send: " + Libc.strerror((int) -n));
        } else if (rc == 0) {
            connected();
        }
    }

    @Override
    public void ready(int events) {
        if (finished) return;
        if (check.kind() == HealthCheck.Kind.UDP) {
            receiveDatagram();
        } else if (!connected) {
            if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
                int error = io.pendingError(fd);
                finish("connect: " + (error != 0 ? Libc.strerror(error) : "connection closed"));
            } else if ((events & EPOLLOUT) != 0) {
                connected();
            }
        } else {
            if (sent < out.length) send();
            if (!finished && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) receive();
        }
    }

    private void connected() {
        connected = true;
        if (check.kind() != HealthCheck.Kind.HTTP) {
            finish(null);
            return;
        }
        out = request(check, vip);
        in = new byte[STATUS_LINE_MAX];
        send();
        if (!finished) receive(); // an answer may already be there; edge-triggered epoll would not say so again
    }

    private void send() {
        while (sent < out.length) {
            long n = io.send(fd, out, sent);
            if (n == -SocketIo.EAGAIN) return; // EPOLLOUT says when there is room again
            if (n < 0) {
                finish("send: " + Libc.strerror((int) -n));
                return;
            }
            sent += (int) n;
        }
    }

    /** Reads until the status line is complete, the peer closes or no more is there now. */
    private void receive() {
        while (true) {
            long got = io.recv(fd, in, received, in.length - received);
            if (got == -SocketIo.EAGAIN) return; // EPOLLIN says when more arrives
            if (got < 0) {
                finish("receive: " + Libc.strerror((int) -got));
                return;
            }
            received += (int) got;
            boolean whole = got == 0 || received == in.length;
            String line = statusLine(in, received, whole);
            if (line != null || whole) {
                finish(line == null ? "connection closed before an HTTP status line" : judge(check, line));
                return;
            }
        }
    }

    private void receiveDatagram() {
        long got = io.recv(fd, new byte[1], 0, 1);
        if (got >= 0) finish(null); // any answer will do, even an empty one
        else if (got == -SocketIo.ECONNREFUSED) finish("port unreachable");
        else if (got != -SocketIo.EAGAIN) finish("receive: " + Libc.strerror((int) -got));
    }

    private void timedOut() {
        String after = HealthCheck.formatDuration(check.timeoutMs());
        finish(check.kind() != HealthCheck.Kind.UDP && !connected ? "connect timed out after " + after : "timed out after " + after);
    }

    private void finish(String error) {
        if (finished) return;
        finished = true;
        if (deadline != null) deadline.cancel();
        if (token >= 0) loop.forget(token, fd);
        else if (fd >= 0) io.close(fd);
        done.accept(new Result(error == null, error, (System.nanoTime() - start) / 1e9));
    }

    /** The GET of an HTTP check (HTTP/1.0, closed after the answer). */
    static byte[] request(HealthCheck check, Vip vip) {
        String host = check.host() != null ? check.host()
                : (vip.address() instanceof Inet6Address ? "[" + IpAddresses.format(vip.address()) + "]"
                : IpAddresses.format(vip.address()));
        return ("GET " + check.path() + " HTTP/1.0\r\nHost: " + host
                + "\r\nUser-Agent: xdplb-agent\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The first line of the n bytes read so far, or null when it has not ended yet; whole says
     * no more will come (closed, or the buffer is full), so what there is counts as the line.
     */
    static String statusLine(byte[] buf, int n, boolean whole) {
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') return new String(buf, 0, i, StandardCharsets.ISO_8859_1).strip();
        }
        if (!whole || n == 0) return null;
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1).strip();
    }

    /** null when the status line is an answer the check expects, else why not. */
    static String judge(HealthCheck check, String status) {
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) return "not an HTTP answer: " + shorten(status);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return "not an HTTP status: " + shorten(status);
        }
        if (code < check.expectLow() || code > check.expectHigh()) {
            return "HTTP " + code + ", expected " + check.expectLow()
                    + (check.expectHigh() != check.expectLow() ? "-" + check.expectHigh() : "");
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
