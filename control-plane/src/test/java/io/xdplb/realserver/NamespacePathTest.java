package io.xdplb.realserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `realserver setup --netns /proc/PID/ns/net`: a namespace known only by a process in it (as a
 * container's is). The set-up works through the path, and when the process ends the path is
 * gone: status says the record is stale and teardown removes what is left.
 */
@RootOnly
class NamespacePathTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String instance = "t-nspath-" + ProcessHandle.current().pid();
    private TestNetns ns;
    private Process holder;
    private String path;

    @BeforeEach
    void setUp() throws Exception {
        ns = new TestNetns().vethPair("eth0", "peer0");
        ns.ip("addr", "add", "192.0.2.11/24", "dev", "eth0");
        holder = new ProcessBuilder("ip", "netns", "exec", ns.name(), "sleep", "120").start();
        // the sleep's own pid (ip netns exec enters the namespace, then execs it): once its
        // /proc/PID/ns/net is the test's namespace, that path names it
        path = "/proc/" + holder.pid() + "/ns/net";
        for (int i = 0; i < 100 && !nsLink().equals(Files.readSymbolicLink(Path.of(path))); i++) Thread.sleep(20);
        assertEquals(nsLink(), Files.readSymbolicLink(Path.of(path)));
    }

    /** net:[INODE] of the test's namespace, as /proc/PID/ns/net of a process in it reads. */
    private Path nsLink() throws Exception {
        long ino = ((Number) Files.getAttribute(Path.of("/run/netns", ns.name()), "unix:ino")).longValue();
        return Path.of("net:[" + ino + "]");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (holder != null) {
            holder.destroyForcibly();
            holder.waitFor(5, TimeUnit.SECONDS);
        }
        Cli.run("--instance", instance, "realserver", "teardown", "--iface", "eth0", "--netns", path);
        ns.close();
        Cli.forgetInstance(instance);
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "pins left behind");
        assertFalse(Files.exists(Path.of("/run/xdplb", instance)), "state left behind");
    }

    private JsonNode record() throws Exception {
        for (JsonNode r : JSON.readTree(Cli.run("status", "--json").out()).path("realservers")) {
            if (r.path("instance").asText().equals(instance)) return r;
        }
        throw new AssertionError("status lists no set-up of instance " + instance);
    }

    @Test
    void aNamespaceGivenByItsFileIsSetUpAndSeenGoneWithItsProcess() throws Exception {
        Cli.Result r = Cli.inInstance(instance, "realserver", "setup", "--iface", "eth0", "--netns", path,
                "--vip", "203.0.113.10");
        assertEquals(0, r.exit(), r.err());
        assertEquals("real server set up on eth0 (netns " + path + "): VIPs 203.0.113.10 on lo, decap for 192.0.2.11"
                + " (GUE port 6080)\n", r.out());
        assertTrue(ns.ip("addr", "show", "dev", "lo").out().contains("inet 203.0.113.10/32"), "the VIP is on the namespace's lo");
        JsonNode xdp = JSON.readTree(ns.ip("-j", "link", "show", "dev", "eth0").out()).get(0).path("xdp");
        assertEquals("decap", xdp.path("prog").path("name").asText(), xdp.toString());
        assertEquals("set up", record().path("state").asText());
        assertTrue(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance, "links", "eth0@" + path.replace('/', ':'))),
                "the link pin names the path with ':' for '/'");

        holder.destroyForcibly();
        holder.waitFor(5, TimeUnit.SECONDS);
        assertEquals("stale: namespace " + path + " is gone", record().path("state").asText());
        assertEquals(3, Cli.run("status").exit(), "status exits 3 while a record is stale");

        Cli.Result t = Cli.inInstance(instance, "realserver", "teardown", "--iface", "eth0", "--netns", path);
        assertEquals(0, t.exit(), t.err());
        assertFalse(Files.exists(Path.of("/run/xdplb", instance)), "the stale record is removed");
    }
}
