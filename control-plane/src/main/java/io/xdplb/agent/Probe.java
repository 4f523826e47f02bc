package io.xdplb.agent;

import io.xdplb.model.HealthCheck;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Vip;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One health check in flight: an ordinary socket to VIP:port, marked so that the director's tc
 * egress program sends it through the tunnel to one real. Non-blocking, driven by its
 * {@link ProbeLoop}: connect, (HTTP) send the request and read the status line, or (UDP) send
 * the payload and wait for any answer; a deadline of the check's timeout ends it either way.
 * Loop thread only.
 */
final class Probe implements ProbeLoop.Ready {
    /** What a check found: passed, or why not, and how long it took. */
    record Result(boolean passed, String error, double seconds) {}

    /** The longest status line read (the rest of the answer is not needed). */
    static final int STATUS_LINE_MAX = 200;

    private final ProbeLoop loop;
    private final HealthCheck check;
    private final Vip vip;
    private final Consumer<Result> done;
    private final long start = System.nanoTime();
    private ProbeLoop.Timer deadline;
    private SelectableChannel channel;
    private SelectionKey key;
    private ByteBuffer out, in;
    private boolean connected, finished;

    private Probe(ProbeLoop loop, HealthCheck check, Vip vip, Consumer<Result> done) {
        this.loop = loop;
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
        deadline = loop.schedule(start + check.timeoutMs() * 1_000_000L, this::timedOut);
        InetSocketAddress target = new InetSocketAddress(vip.address(), check.portFor(vip));
        try {
            switch (check.kind()) {
                case TCP, HTTP -> {
                    SocketChannel s = SocketChannel.open();
                    channel = s;
                    s.configureBlocking(false);
                    SocketMark.set(s, mark);
                    boolean now;
                    try {
                        now = s.connect(target);
                    } catch (IOException e) {
                        finish("connect: " + message(e));
                        return;
                    }
                    key = s.register(loop.selector(), now ? 0 : SelectionKey.OP_CONNECT, this);
                    if (now) connected();
                }
                case UDP -> {
                    DatagramChannel d = DatagramChannel.open();
                    channel = d;
                    d.configureBlocking(false);
                    SocketMark.set(d, mark);
                    d.connect(target);
                    // the default payload is an empty datagram, which the JDK's channels never send
                    if (check.payload().isEmpty()) io.xdplb.libbpf.Libc.sendEmpty(SocketMark.fd(d), "udp check");
                    else d.write(ByteBuffer.wrap(check.payload().getBytes(StandardCharsets.UTF_8)));
                    in = ByteBuffer.allocate(512);
                    key = d.register(loop.selector(), SelectionKey.OP_READ, this);
                }
                case NONE -> finish(null);
            }
        } catch (IOException | RuntimeException e) {
            finish(message(e));
        }
    }

    @Override
    public void ready(SelectionKey k) {
        if (finished) return;
        try {
            if (channel instanceof SocketChannel s) {
                if (!connected) {
                    try {
                        if (!s.finishConnect()) return;
                    } catch (IOException e) {
                        finish("connect: " + message(e));
                        return;
                    }
                    connected();
                } else if (k.isWritable()) {
                    send(s);
                } else if (k.isReadable()) {
                    receive(s);
                }
            } else if (channel instanceof DatagramChannel d) {
                try {
                    if (d.read(in) >= 0) finish(null); // any answer will do
                } catch (PortUnreachableException e) {
                    finish("port unreachable");
                }
            }
        } catch (IOException | RuntimeException e) {
            finish(message(e));
        }
    }

    private void connected() throws IOException {
        connected = true;
        if (check.kind() != HealthCheck.Kind.HTTP) {
            finish(null);
            return;
        }
        out = ByteBuffer.wrap(request(check, vip));
        in = ByteBuffer.allocate(STATUS_LINE_MAX);
        send((SocketChannel) channel);
    }

    private void send(SocketChannel s) throws IOException {
        s.write(out);
        key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void receive(SocketChannel s) throws IOException {
        int got = s.read(in);
        String line = statusLine(in.array(), in.position(), got < 0 || !in.hasRemaining());
        if (line == null && got >= 0 && in.hasRemaining()) return; // more to come
        finish(line == null ? "connection closed before an HTTP status line" : judge(check, line));
    }

    private void timedOut() {
        String after = HealthCheck.formatDuration(check.timeoutMs());
        finish(check.kind() != HealthCheck.Kind.UDP && !connected ? "connect timed out after " + after : "timed out after " + after);
    }

    private void finish(String error) {
        if (finished) return;
        finished = true;
        if (deadline != null) deadline.cancel();
        if (channel != null) {
            try {
                channel.close(); // also cancels its key
            } catch (IOException e) {
                // nothing more to do with it
            }
        }
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

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
