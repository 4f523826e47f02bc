package io.xdplb.agent;

import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.Netns;
import io.xdplb.model.HealthCheck;
import io.xdplb.model.Vip;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's probes on their event loop, against servers in a namespace made for the test
 * (192.0.2.1 on its lo; no tunnel program there, so the mark changes nothing): what each kind
 * of check reports, and that silent reals do not hold up an answering one.
 */
@RootOnly
class ProbeTest {
    private static final String ADDR = "192.0.2.1";
    private static TestNetns ns;
    private static ProbeLoop loop;
    private static final ExecutorService servers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "probe-test-server");
        t.setDaemon(true);
        return t;
    });
    private static final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void namespace() {
        ns = new TestNetns();
        ns.ip("addr", "add", ADDR + "/32", "dev", "lo");
        loop = new ProbeLoop(ns.name());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        loop.close();
        for (AutoCloseable c : opened) c.close();
        servers.shutdownNow();
        ns.close();
    }

    /** Creates a socket inside the test's namespace (a socket takes its creating thread's). */
    private static <T extends AutoCloseable> T inNetns(Callable<T> open) throws Exception {
        T s = CompletableFuture.supplyAsync(() -> {
            int fd = Libc.openReadOnly(Netns.NETNS_DIR.resolve(ns.name()).toString());
            try {
                Libc.setnsNet(fd, "netns " + ns.name());
                return open.call();
            } catch (Exception e) {
                throw new RuntimeException(e);
            } finally {
                Libc.close(fd);
            }
        }, r -> new Thread(r, "probe-test-netns").start()).get(10, TimeUnit.SECONDS);
        opened.add(s);
        return s;
    }

    /** An HTTP server answering every request with answer (null: accepts and stays silent). */
    private static int httpServer(String answer) throws Exception {
        ServerSocket ss = inNetns(() -> new ServerSocket(0, 100, InetAddress.getByName(ADDR)));
        servers.submit(() -> {
            while (!ss.isClosed()) {
                Socket c = ss.accept();
                servers.submit(() -> {
                    try (c) {
                        InputStream in = c.getInputStream();
                        byte[] buf = new byte[1024];
                        if (in.read(buf) <= 0) return null;
                        if (answer == null) {
                            Thread.sleep(5_000);
                            return null;
                        }
                        OutputStream out = c.getOutputStream();
                        out.write(answer.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    return null;
                });
            }
            return null;
        });
        return ss.getLocalPort();
    }

    private static Probe.Result run(String check, int port, String proto) throws Exception {
        return runAll(check, port, proto, 1).get(0);
    }

    /** Starts n checks at once on the loop; their results in the order they finished. */
    private static List<Probe.Result> runAll(String check, int port, String proto, int n) throws Exception {
        HealthCheck c = HealthCheck.parse(check);
        Vip vip = Vip.parse(ADDR + ":" + port + "/" + proto);
        ConcurrentLinkedQueue<Probe.Result> results = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) loop.submit(() -> Probe.start(loop, c, vip, 0x584c0001, results::add));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (results.size() < n && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(n, results.size(), "every check ends (at its timeout at the latest)");
        return new ArrayList<>(results);
    }

    @Test
    void anHttpCheckPassesOnAnExpectedStatus() throws Exception {
        int port = httpServer("HTTP/1.0 204 No Content\r\n\r\n");
        Probe.Result r = run("http,path=/healthz,expect=200-299", port, "tcp");
        assertTrue(r.passed(), () -> "failed: " + r.error());
    }

    @Test
    void anHttpCheckFailsOnAnotherStatusAndSaysWhich() throws Exception {
        int port = httpServer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        Probe.Result r = run("http", port, "tcp");
        assertEquals("HTTP 503, expected 200-399", r.error());
    }

    @Test
    void anAnswerThatIsNotHttpFails() throws Exception {
        int port = httpServer("SSH-2.0-OpenSSH_9.2\r\n");
        assertEquals("not an HTTP answer: SSH-2.0-OpenSSH_9.2", run("http", port, "tcp").error());
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = inNetns(() -> new ServerSocket(0, 1, InetAddress.getByName(ADDR)))) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        Probe.Result r = run("tcp", port, "tcp");
        assertEquals("connect: Connection refused", r.error());
    }

    @Test
    void checksLeaveNoTimeWaitSocketsBehind() throws Exception {
        // closed with a reset (SO_LINGER 0): an active close would leave TIME_WAIT for a minute
        int port = httpServer("HTTP/1.0 200 OK\r\n\r\n");
        for (Probe.Result r : runAll("http", port, "tcp", 5)) assertTrue(r.passed(), r.error());
        assertTrue(run("tcp", port, "tcp").passed());
        Sh.Result ss = Sh.run("ip", "netns", "exec", ns.name(), "ss", "-Htan", "state", "time-wait");
        assertEquals(0, ss.exit(), ss.err());
        assertEquals("", ss.out().strip(), "TIME_WAIT sockets after 6 checks");
    }

    @Test
    void aTcpCheckPassesOnConnect() throws Exception {
        int port = httpServer(null);
        assertTrue(run("tcp", port, "tcp").passed());
    }

    @Test
    void aSilentServerTimesOutAfterTheCheckTimeout() throws Exception {
        int port = httpServer(null);
        Probe.Result r = run("http,timeout=300ms", port, "tcp");
        assertEquals("timed out after 300ms", r.error());
    }

    @Test
    void silentRealsDoNotHoldUpOneThatAnswers() throws Exception {
        int silent = httpServer(null);
        int good = httpServer("HTTP/1.0 200 OK\r\n\r\n");
        HealthCheck slow = HealthCheck.parse("http,timeout=2s,interval=3s");
        HealthCheck fast = HealthCheck.parse("http,timeout=2s,interval=3s");
        ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 50; i++) {
            loop.submit(() -> Probe.start(loop, slow, Vip.parse(ADDR + ":" + silent + "/tcp"), 0x584c0002,
                    r -> order.add(r.passed() ? "passed" : r.error())));
        }
        loop.submit(() -> Probe.start(loop, fast, Vip.parse(ADDR + ":" + good + "/tcp"), 0x584c0003,
                r -> order.add(r.passed() ? "passed" : r.error())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (order.size() < 51 && System.nanoTime() < deadline) Thread.sleep(10);
        List<String> got = new ArrayList<>(order);
        assertEquals(51, got.size());
        assertEquals("passed", got.get(0), "the answering real is judged first, before the silent ones time out");
        assertTrue(got.subList(1, 51).stream().allMatch("timed out after 2s"::equals), got.toString());
    }

    @Test
    void aUdpCheckPassesOnAnyAnswerAndFailsOnPortUnreachable() throws Exception {
        DatagramSocket echo = inNetns(() -> new DatagramSocket(new InetSocketAddress(ADDR, 0)));
        servers.submit(() -> {
            byte[] buf = new byte[600];
            while (!echo.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                echo.receive(p);
                echo.send(new DatagramPacket("pong".getBytes(StandardCharsets.US_ASCII), 4, p.getSocketAddress()));
            }
            return null;
        });
        assertTrue(run("udp,payload=ping", echo.getLocalPort(), "udp").passed());

        int closed;
        try (DatagramSocket s = inNetns(() -> new DatagramSocket(new InetSocketAddress(ADDR, 0)))) {
            closed = s.getLocalPort();
        }
        assertEquals("port unreachable", run("udp,payload=ping", closed, "udp").error());
        assertEquals("port unreachable", run("udp", closed, "udp").error(), "the default, empty datagram is sent too");
    }

    @Test
    void aLoopThatCannotEnterItsNamespaceFailsEveryCheckSayingWhy() throws Exception {
        try (ProbeLoop gone = new ProbeLoop("xt-no-such-namespace")) {
            ConcurrentLinkedQueue<Probe.Result> r = new ConcurrentLinkedQueue<>();
            HealthCheck c = HealthCheck.parse("tcp");
            gone.submit(() -> Probe.start(gone, c, Vip.parse(ADDR + ":80/tcp"), 0x584c0004, r::add));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (r.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(r.peek() != null && r.peek().error().startsWith("cannot enter network namespace xt-no-such-namespace"),
                    String.valueOf(r.peek()));
        }
    }
}
