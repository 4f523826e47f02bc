package io.xdplb.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.e2e.Capture;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real servers in Docker containers, set up with `xdplb realserver setup --container NAME`:
 * a client curls an IPv4 VIP (IPIP) and an IPv6 VIP (GUE to the containers' IPv4
 * addresses), the director's XDP program sends every new connection to one of three
 * containers on a user-defined Docker network, and each container answers the client
 * directly. A restarted container has a new namespace: status says its set-up is stale,
 * and setting it up again makes it serve again. The engine is the test's own, in a network
 * namespace (DockerInNetns); everything is removed at the end, and the test checks that.
 */
@RootOnly
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerRealServersTest {
    private static final String INSTANCE = "xc";
    private static final String VIP4 = "203.0.113.10";
    private static final String VIP6 = "2001:db8:f::11";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DockerInNetns engine;
    private static ContainerLab lab;
    private static RealServerContainers reals;

    static Cli.Result xdplb(String... args) {
        return Cli.inInstance(INSTANCE, args).ok();
    }

    @BeforeAll
    static void start() {
        org.junit.jupiter.api.Assumptions.assumeTrue(RealServerContainers.staticBusybox(),
                "busybox-static is not installed (make deps installs it): the container tier is SKIPPED");
        engine = DockerInNetns.start("xc-docker");
        try {
            lab = new ContainerLab("xc", engine.netns);
            reals = new RealServerContainers(engine.netns, 3);
            xdplb("attach", "--iface", "eth0", "--netns", lab.director(), "--max-vips", "4", "--ring-size", "1021");
            // the director XDP_TXes into its veth: the peer delivers XDP frames only with a program of its own
            xdplb("pass", "attach", "--iface", ContainerLab.ROUTER_DIRECTOR_PORT, "--netns", engine.netns);
            xdplb("vip", "add", VIP4 + ":80/tcp", "--encap", "ipip");
            xdplb("vip", "add", "[" + VIP6 + "]:80/tcp", "--encap", "gue");
            for (String a : reals.addresses4) {
                xdplb("real", "add", VIP4 + ":80/tcp", a);
                xdplb("real", "add", "[" + VIP6 + "]:80/tcp", a);
            }
            for (String name : reals.names) setup(name);
        } catch (RuntimeException | AssertionError e) {
            stopEverything();
            throw e;
        }
    }

    private static Cli.Result setup(String container) {
        return xdplb("realserver", "setup", "--container", container, "--iface", "eth0", "--vip", VIP4, "--vip", VIP6);
    }

    @AfterAll
    static void stopEverything() {
        List<String> problems = new ArrayList<>();
        if (reals != null) {
            for (String name : reals.names) {
                Cli.Result r = Cli.inInstance(INSTANCE, "realserver", "teardown", "--container", name, "--iface", "eth0");
                if (r.exit() != 0) problems.add("teardown " + name + ": " + r.err());
            }
            reals.close();
            List<String> left = RealServerContainers.leftovers();
            if (!left.isEmpty()) problems.add("the engine still has " + left);
        }
        if (lab != null) {
            Cli.inInstance(INSTANCE, "pass", "detach", "--iface", ContainerLab.ROUTER_DIRECTOR_PORT, "--netns", engine.netns);
            Cli.inInstance(INSTANCE, "detach", "--iface", "eth0", "--netns", lab.director());
            lab.close();
        }
        if (engine != null) engine.close();
        Cli.forgetInstance(INSTANCE);
        if (engine != null) {
            if (DockerInNetns.anythingRunning()) problems.add("dockerd or containerd still runs");
            if (DockerInNetns.rootLeft()) problems.add(DockerInNetns.ROOT + " is left");
            if (Sh.run("ip", "netns", "list").out().lines().anyMatch(l -> l.startsWith("xc-"))) {
                problems.add("namespaces are left: " + Sh.run("ip", "netns", "list").out());
            }
            if (Files.exists(Path.of("/sys/fs/bpf/xdplb", INSTANCE))) problems.add("pins are left");
            if (Files.exists(Path.of("/run/xdplb", INSTANCE))) problems.add("real-server records are left");
        }
        engine = null;
        lab = null;
        reals = null;
        assertEquals(List.of(), problems, "the container tier leaves nothing behind");
    }

    /** 30 new connections to the URL: how many answers each container gave. */
    private static Map<String, Integer> spread(String url) {
        Map<String, Integer> n = new TreeMap<>();
        for (int i = 0; i < 30; i++) n.merge(lab.curl(url), 1, Integer::sum);
        return n;
    }

    private static void assertEveryContainerAnswers(String url) {
        Map<String, Integer> n = spread(url);
        assertEquals(reals.names, List.copyOf(n.keySet()), url + ": " + n);
    }

    @Test
    @Order(1)
    void ipv4VipOverIpipReachesEveryContainer() {
        assertEveryContainerAnswers("http://" + VIP4 + "/");
    }

    @Test
    @Order(2)
    void ipv6VipOverGueReachesEveryIpv4Container() {
        assertEveryContainerAnswers("http://[" + VIP6 + "]/");
    }

    @Test
    @Order(3)
    void repliesBypassTheDirector() throws Exception {
        long txBefore = directorCounter("tx");
        String replies = "tcp src port 80 and (src host " + VIP4 + " or src host " + VIP6 + ")";
        try (Capture atDirector = new Capture(engine.netns, ContainerLab.ROUTER_DIRECTOR_PORT, replies);
             Capture onBridge = new Capture(engine.netns, reals.bridge(), replies)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(reals.names.contains(lab.curl("http://" + VIP4 + "/")));
                assertTrue(reals.names.contains(lab.curl("http://[" + VIP6 + "]/")));
            }
            List<String> fromContainers = onBridge.stop();
            List<String> viaDirector = atDirector.stop();
            assertTrue(fromContainers.size() >= 10, "the containers' replies cross the Docker bridge: " + fromContainers.size());
            assertEquals(List.of(), viaDirector, "no reply on the director's link");
        }
        assertTrue(directorCounter("tx") - txBefore >= 40, "the director encapsulated the requests (XDP_TX)");
    }

    private static long directorCounter(String name) throws Exception {
        return JSON.readTree(xdplb("stats", "--json").out()).path("global").path(name).path("packets").asLong();
    }

    private static JsonNode realServerStatus(String container) throws Exception {
        for (JsonNode r : JSON.readTree(Cli.run("status", "--json").out()).path("realservers")) {
            if (r.path("instance").asText().equals(INSTANCE) && r.path("netns").asText().equals("container:" + container)) {
                return r;
            }
        }
        throw new AssertionError("status lists no set-up of container " + container);
    }

    @Test
    @Order(4)
    void statusShowsTheContainerSetUps() throws Exception {
        for (String name : reals.names) {
            JsonNode r = realServerStatus(name);
            assertEquals("set up", r.path("state").asText(), r.toString());
            assertEquals("eth0", r.path("iface").asText(), r.toString());
        }
    }

    @Test
    @Order(5)
    void doctorFindsTheContainerSetUpsSound() throws Exception {
        Cli.Result r = Cli.inInstance(INSTANCE, "doctor", "--json", "--interval", "0.2");
        List<String> bad = new ArrayList<>();
        int seen = 0;
        for (JsonNode c : JSON.readTree(r.out()).path("checks")) {
            if (!c.path("where").asText().contains("(container xc-rs")) continue;
            seen++;
            if (c.path("status").asText().equals("fail")) bad.add(c.toString());
        }
        assertTrue(seen >= 3, "doctor looked at the containers: " + r.out());
        assertEquals(List.of(), bad, "doctor's checks of the containers");
    }

    @Test
    @Order(10)
    void aRestartedContainerIsSeenStaleAndServesAgainOnceSetUpAgain() throws Exception {
        String name = reals.names.get(1);
        int pidBefore = reals.pid(name);
        reals.stop(name);
        assertEquals("stale: container " + name + " is not running", realServerStatus(name).path("state").asText());
        reals.start(name);
        assertNotEquals(pidBefore, reals.pid(name), "a new process, so a new namespace");
        String state = realServerStatus(name).path("state").asText();
        assertTrue(state.startsWith("stale: container " + name + " was restarted"), state);
        // not set up (no VIP on its lo, no decap): the director's flows to it go nowhere
        Map<String, Integer> before = spread("http://" + VIP4 + "/");
        assertFalse(before.containsKey(name), before.toString());

        Cli.Result again = setup(name);
        assertTrue(again.out().contains("real server set up on eth0 (container " + name + ")"), again.out());
        assertEquals("set up", realServerStatus(name).path("state").asText());
        assertEveryContainerAnswers("http://" + VIP4 + "/");
        assertEveryContainerAnswers("http://[" + VIP6 + "]/");
    }
}
