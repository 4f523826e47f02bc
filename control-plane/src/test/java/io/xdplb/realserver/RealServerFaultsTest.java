package io.xdplb.realserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.net.Sysctl;
import io.xdplb.testing.Cli;
import io.xdplb.testing.JavaCli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real-server set-ups under faults: a setup killed half-way, two set-ups sharing a namespace,
 * records that outlive their namespace, leftovers of a killed writer; and the files' permissions.
 */
@RootOnly
class RealServerFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String instance = "t-rsf-" + ProcessHandle.current().pid();
    private TestNetns ns;

    @BeforeEach
    void setUp() {
        ns = namespace(new TestNetns());
        // values that differ from what setup wants, so restoring them is visible
        ns.sysctl("net.ipv4.conf.all.arp_announce", "1");
        ns.sysctl("net.ipv4.conf.eth0.rp_filter", "1");
    }

    private static TestNetns namespace(TestNetns n) {
        n.vethPair("eth0", "peer0");
        n.ip("addr", "add", "192.0.2.11/24", "dev", "eth0");
        return n;
    }

    @AfterEach
    void tearDown() {
        Cli.run("--instance", instance, "realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        Cli.run("--instance", instance, "realserver", "teardown", "--iface", "peer0", "--netns", ns.name());
        ns.close();
        // a stale record left by a failed test must not outlive it
        Cli.run("--instance", instance, "realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        Cli.forgetInstance(instance);
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "pins left behind");
        assertFalse(Files.exists(RealServerState.root().resolve(instance)), "records left behind");
    }

    private Cli.Result xdplb(String... args) {
        return Cli.inInstance(instance, args);
    }

    private Cli.Result setup(String iface) {
        return xdplb("realserver", "setup", "--iface", iface, "--netns", ns.name(), "--vip", "203.0.113.10",
                "--vip", "2001:db8:f::10", "--mode", "generic");
    }

    private JsonNode xdp(String iface) throws Exception {
        return JSON.readTree(ns.ip("-j", "link", "show", "dev", iface).out()).get(0).path("xdp");
    }

    private JsonNode statusRow() throws Exception {
        JsonNode status = JSON.readTree(Cli.run("status", "--json").out());
        for (JsonNode s : status.path("realservers")) if (s.path("instance").asText().equals(instance)) return s;
        return null;
    }

    /**
     * Runs `realserver setup` in its own JVM and kills it (SIGKILL) the moment killWhen holds: what a
     * crash or an impatient operator leaves behind.
     */
    private void setupKilledWhen(BooleanSupplier killWhen) throws Exception {
        Process p = new ProcessBuilder(JavaCli.command(JavaCli.runtimeClassPath(), "--instance", instance, "realserver",
                "setup", "--iface", "eth0", "--netns", ns.name(), "--vip", "203.0.113.10", "--vip", "2001:db8:f::10",
                "--mode", "generic")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!killWhen.getAsBoolean()) {
            if (!p.isAlive()) throw new AssertionError("setup finished (exit " + p.exitValue() + ") before the kill point");
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the kill point never came");
            }
            Thread.onSpinWait();
        }
        p.destroyForcibly();
        p.waitFor();
    }

    /**
     * Then: the record says what was found; a re-run and a teardown restore exactly that. (The kill
     * may land after the last step: then the set-up is complete, and teardown alone must restore.)
     */
    private void afterTheKillTheOriginalsComeBack(String loBefore) throws Exception {
        JsonNode row = statusRow();
        assertTrue(row != null, "the killed set-up has a record from before it changed anything");
        if (!row.path("state").asText().equals("set up")) {
            assertEquals("incomplete: setup was interrupted", row.path("state").asText());
            assertEquals(3, Cli.run("status").exit(), "status says something is wrong");
            setup("eth0").ok();  // a re-run: completes, taking the original values from the record
        }
        assertEquals("set up", statusRow().path("state").asText());
        assertEquals(0, Cli.run("status").exit());
        assertEquals("decap", xdp("eth0").path("prog").path("name").asText());
        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("0", ns.sysctl("net.ipv4.conf.eth0.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.eth0.rp_filter"));
        assertEquals(loBefore, ns.loAddresses());
        assertTrue(xdp("eth0").isMissingNode());
    }

    @Test
    void aSetupKilledAfterItsFirstSysctlIsUndoneFromItsRecord() throws Exception {
        String loBefore = ns.loAddresses();
        setupKilledWhen(() -> "1".equals(Sysctl.get(ns.name(), "net/ipv4/conf/all/arp_ignore")));
        afterTheKillTheOriginalsComeBack(loBefore);
    }

    @Test
    void aSetupKilledOnceItsLinkIsPinnedLeavesNoLinkWithoutARecord() throws Exception {
        String loBefore = ns.loAddresses();
        Path link = Path.of("/sys/fs/bpf/xdplb", instance, "links", "eth0@" + ns.name());
        setupKilledWhen(() -> Files.exists(link));
        afterTheKillTheOriginalsComeBack(loBefore);
    }

    @Test
    void aTeardownAfterAKilledSetupRestoresTheOriginals() throws Exception {
        String loBefore = ns.loAddresses();
        setupKilledWhen(() -> "2".equals(Sysctl.get(ns.name(), "net/ipv4/conf/eth0/rp_filter")));
        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.eth0.rp_filter"));
        assertEquals(loBefore, ns.loAddresses());
    }

    @Test
    void aHalfWrittenTempFileIsNeverARecordAndStatusStillWorks() throws Exception {
        setup("eth0").ok();
        Path dir = RealServerState.dir(instance);
        Files.write(dir.resolve(".tmp-1.json"), new byte[0]);
        Files.writeString(dir.resolve(".tmp-2.json"), "{\"iface\": \"eth0\", \"netns\"");
        Cli.Result s = Cli.run("status");
        assertEquals(0, s.exit(), s.err() + s.out());
        assertEquals("", s.err());
        assertEquals("set up", statusRow().path("state").asText());
        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertFalse(Files.exists(dir), "the killed writer's temp files went with the last record");
    }

    @Test
    void aDamagedRecordIsShownNotFatal() throws Exception {
        setup("eth0").ok();
        Path bogus = RealServerState.dir(instance).resolve("eth9@" + ns.name() + ".json");
        Files.write(bogus, new byte[0]);
        Cli.Result s = Cli.run("status");
        assertEquals(3, s.exit(), s.err());
        assertEquals("", s.err());
        assertTrue(s.out().contains("unreadable record " + bogus + ": remove it"), s.out());
        Files.delete(bogus);
    }

    @Test
    void twoSetUpsInOneNamespaceRestoreTheSharedSysctlsOnceTheLastGoes() {
        ns.ip("addr", "add", "192.0.2.12/24", "dev", "peer0");
        setup("eth0").ok();
        setup("peer0").ok();
        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_ignore"), "peer0 still needs them");
        assertEquals("2", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        xdplb("realserver", "teardown", "--iface", "peer0", "--netns", ns.name()).ok();
        assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_announce"));
    }

    @Test
    void aRecordThatOutlivesItsNamespaceIsStaleAndReplacedByANewSetUp() throws Exception {
        setup("eth0").ok();
        xdplb("vip", "add", "203.0.113.10:80/tcp").ok();
        Sh.run("ip", "netns", "del", ns.name()).ok();

        Cli.Result gone = Cli.run("status");
        assertEquals(3, gone.exit());
        assertEquals("stale: namespace " + ns.name() + " is gone", statusRow().path("state").asText());

        Sh.run("ip", "netns", "add", ns.name()).ok();
        ns.ip("link", "set", "lo", "up");
        namespace(ns);
        assertEquals("stale: namespace " + ns.name() + " was deleted and created again", statusRow().path("state").asText());

        // export -> vip del -> apply: the set-up is made again in the new namespace
        Path file = Files.createTempFile("h9b-export-", ".json");
        try {
            Files.writeString(file, xdplb("export").ok().out());
            xdplb("vip", "del", "203.0.113.10:80/tcp").ok();
            Cli.Result apply = xdplb("apply", "-f", file.toString());
            assertEquals(0, apply.exit(), apply.err());
            assertTrue(apply.out().contains("realserver"), apply.out());
        } finally {
            Files.delete(file);
        }
        assertEquals("set up", statusRow().path("state").asText());
        assertEquals(0, Cli.run("status").exit());
        JsonNode xdp = xdp("eth0");
        assertEquals("decap", xdp.path("prog").path("name").asText(), xdp.toString());
        assertEquals(2, xdp.path("mode").asInt(), "re-attached in the set-up's generic mode (XDP_ATTACHED_SKB): " + xdp);
        assertTrue(ns.loAddresses().contains("203.0.113.10/32"), ns.loAddresses());
    }

    /** Issue 9: the set-up's interface renamed: the record is stale and says so; teardown by the record removes its decap. */
    @Test
    void aRenamedInterfaceIsNamedInTheStaleStateAndTornDownByItsRecord() throws Exception {
        setup("eth0").ok();
        ns.ip("link", "set", "eth0", "down");
        ns.ip("link", "set", "eth0", "name", "eth9");
        ns.ip("link", "set", "eth9", "up");
        assertEquals("decap", xdp("eth9").path("prog").path("name").asText(), "XDP follows the interface");
        assertEquals(3, Cli.run("status").exit());
        assertEquals("stale: interface eth0 was renamed to eth9 (set it up under its new name, or rename it back)",
                statusRow().path("state").asText());
        Cli.Result t = xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        assertEquals(0, t.exit(), t.err());
        assertTrue(xdp("eth9").path("prog").isMissingNode(), "the set-up's own decap is removed: " + xdp("eth9"));
        assertEquals(null, statusRow());
    }

    @Test
    void aNewNamespaceOfTheSameNameCanBeSetUpAndAStaleRecordTornDown() throws Exception {
        setup("eth0").ok();
        Sh.run("ip", "netns", "del", ns.name()).ok();
        Cli.Result t = xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        assertEquals(0, t.exit(), t.err());
        assertEquals("real server set-up removed from eth0 (netns " + ns.name() + ") (a stale record: cleaned what was"
                + " left; namespace " + ns.name() + " is gone: its lo addresses and sysctls went with it)\n", t.out());
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "decap unpinned with the last set-up");

        Sh.run("ip", "netns", "add", ns.name()).ok();
        ns.ip("link", "set", "lo", "up");
        namespace(ns);
        setup("eth0").ok();
        Sh.run("ip", "netns", "del", ns.name()).ok();
        Sh.run("ip", "netns", "add", ns.name()).ok();
        ns.ip("link", "set", "lo", "up");
        namespace(ns);
        Cli.Result again = setup("eth0");
        assertEquals(0, again.exit(), "a re-created namespace of the same name is set up: " + again.err());
        assertEquals("set up", statusRow().path("state").asText());
    }

    @Test
    void recordsArePrivateAndNeverWrittenThroughALink() throws Exception {
        setup("eth0").ok();
        Path dir = RealServerState.dir(instance);
        for (Path d : new Path[] {RealServerState.root(), dir.getParent(), dir}) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
        }
        Path record = dir.resolve("eth0@" + ns.name() + ".json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(record)));
        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();

        // a link planted where the instance's record directory goes is refused, and what it points at is untouched
        Path victim = Files.createTempDirectory("h9b-victim-");
        try {
            Files.createDirectories(RealServerState.root());
            Files.createSymbolicLink(RealServerState.root().resolve(instance), victim);
            Cli.Result r = setup("eth0");
            assertEquals(1, r.exit());
            assertEquals("xdplb: " + RealServerState.root().resolve(instance) + " is not a directory but a symbolic"
                    + " link; xdplb keeps its state only in directories of its own: remove it and retry\n", r.err());
            try (var files = Files.list(victim)) {
                assertEquals(0, files.count(), "nothing written through the link");
            }
            assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"), "nothing changed");
        } finally {
            Files.deleteIfExists(RealServerState.root().resolve(instance));
            Files.delete(victim);
            try {
                Files.deleteIfExists(RealServerState.root());
            } catch (java.io.IOException busy) {
                // another instance's records, or a mount point of the test's own
            }
        }
    }
    /** XDPLB_RUN_DIR moves the records (as XDPLB_STATE_DIR moves the configuration): nothing under /run/xdplb. */
    @Test
    void theRunDirectoryFollowsXdplbRunDir() throws Exception {
        Path runDir = Files.createTempDirectory("xdplb-run-");
        try {
            for (String verb : new String[] {"setup", "teardown"}) {
                java.util.List<String> cmd = verb.equals("setup")
                        ? JavaCli.command(JavaCli.runtimeClassPath(), "--instance", instance, "realserver", "setup",
                                "--iface", "eth0", "--netns", ns.name(), "--vip", "203.0.113.10")
                        : JavaCli.command(JavaCli.runtimeClassPath(), "--instance", instance, "realserver", "teardown",
                                "--iface", "eth0", "--netns", ns.name());
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                pb.environment().put("XDPLB_RUN_DIR", runDir.toString());
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                assertEquals(0, p.waitFor(), out);
                if (verb.equals("setup")) {
                    assertTrue(Files.exists(runDir.resolve(instance).resolve("realservers").resolve("eth0@" + ns.name() + ".json")));
                    assertFalse(Files.exists(Path.of("/run/xdplb", instance)), "nothing under /run/xdplb");
                }
            }
            assertFalse(Files.exists(runDir.resolve(instance)), "teardown found the record there and removed it"
                    + " (and the emptied directory, as it removes an empty /run/xdplb)");
        } finally {
            if (Files.exists(runDir)) try (var left = Files.walk(runDir)) {
                for (Path f : left.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}
