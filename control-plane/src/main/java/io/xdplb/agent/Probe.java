package io.xdplb.agent;

import io.xdplb.model.HealthCheck;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Vip;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One health check: an ordinary socket to VIP:port, marked so that the director's tc egress
 * program sends it through the tunnel to one real. Blocking calls with timeouts, meant for a
 * virtual thread each.
 */
final class Probe {
    /** What a check found: passed, or why not, and how long it took. */
    record Result(boolean passed, String error, double seconds) {}

    private final NetnsSockets sockets;

    Probe(NetnsSockets sockets) {
        this.sockets = sockets;
    }

    Result run(HealthCheck check, Vip vip, int mark) {
        long start = System.nanoTime();
        String error;
        try {
            error = switch (check.kind()) {
                case TCP -> tcp(check, vip, mark, false);
                case HTTP -> tcp(check, vip, mark, true);
                case UDP -> udp(check, vip, mark);
                case NONE -> null;
            };
        } catch (SocketTimeoutException e) {
            error = "timed out after " + HealthCheck.formatDuration(check.timeoutMs());
        } catch (PortUnreachableException e) {
            error = "port unreachable";
        } catch (IOException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        } catch (RuntimeException e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return new Result(error == null, error, (System.nanoTime() - start) / 1e9);
    }

    private static InetSocketAddress target(HealthCheck check, Vip vip) {
        return new InetSocketAddress(vip.address(), check.portFor(vip));
    }

    /** null when the check passed, else the reason. */
    private String tcp(HealthCheck check, Vip vip, int mark, boolean http) throws IOException {
        long deadline = System.nanoTime() + check.timeoutMs() * 1_000_000L;
        try (SocketChannel ch = sockets.tcp()) {
            SocketMark.set(ch, mark);
            try {
                ch.socket().connect(target(check, vip), check.timeoutMs());
            } catch (SocketTimeoutException e) {
                return "connect timed out after " + HealthCheck.formatDuration(check.timeoutMs());
            } catch (IOException e) {
                return "connect: " + e.getMessage();
            }
            if (!http) return null;
            String host = check.host() != null ? check.host()
                    : (vip.address() instanceof java.net.Inet6Address ? "[" + IpAddresses.format(vip.address()) + "]"
                    : IpAddresses.format(vip.address()));
            String request = "GET " + check.path() + " HTTP/1.0\r\nHost: " + host
                    + "\r\nUser-Agent: xdplb-agent\r\nConnection: close\r\n\r\n";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) ch.write(out);
            int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            ch.socket().setSoTimeout(left);
            String status = statusLine(ch.socket().getInputStream());
            if (status == null) return "connection closed before an HTTP status line";
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
    }

    /**
     * The first line of the answer (at most 200 bytes), or null when none came. Read in chunks
     * (a status line usually arrives in one): a byte at a time would be a read(2) per byte.
     */
    static String statusLine(InputStream in) throws IOException {
        byte[] buf = new byte[200];
        int n = 0;
        while (n < buf.length) {
            int got = in.read(buf, n, buf.length - n);
            if (got < 0) break;
            for (int i = n; i < n + got; i++) {
                if (buf[i] == '\n') return new String(buf, 0, i, StandardCharsets.ISO_8859_1).strip();
            }
            n += got;
        }
        if (n == 0) return null;
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1).strip();
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private String udp(HealthCheck check, Vip vip, int mark) throws IOException {
        try (DatagramChannel ch = sockets.udp()) {
            SocketMark.set(ch, mark);
            ch.connect(target(check, vip));
            ch.write(ByteBuffer.wrap(check.payload().getBytes(StandardCharsets.UTF_8)));
            ch.socket().setSoTimeout(check.timeoutMs());
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[512], 512);
            ch.socket().receive(p);
            return null;
        }
    }
}
