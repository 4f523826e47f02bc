package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Sizes;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, director side: state that a killed command or a vanished interface leaves behind
 * is seen and healed by the ordinary commands (apply, attach, detach), never remembered wrongly.
 * The faults are made by hand here (the maps edited as a killed command would leave them), so
 * each case is exact; {@link CrashConsistencyTest} kills real processes.
 */
@RootOnly
class FaultHealingTest {
    private static final Sizes LAB_SIZES = new Sizes(64, 4096, 1021, 65536);
    private Lab lab;

    @BeforeEach
    void setUp() {
        lab = new Lab("t-heal-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private MapsView maps() {
        return MapsView.ofDump(lab.json("dump", "vip2tnl", "vip_addrs", "reals", "ring"));
    }

    private void assertMapsMatchFile() {
        assertEquals(MapsView.expected(lab.configBytes()), maps(), "the maps hold exactly the configuration file");
    }

    private BalancerMaps pinnedMaps() {
        return BalancerMaps.pinned(InstanceLayout.of(lab.instance));
    }

    private static VipKey key(String addr, int port, int proto) {
        return new VipKey(InetAddress.ofLiteral(addr), port, proto);
    }

    private Path export(Path tmp) throws Exception {
        Path f = tmp.resolve("e.json");
        Files.writeString(f, lab.ok("export"));
        return f;
    }

    /** Finding 1: what a killed apply leaves in the maps (VIPs, flags, rings, counts in no file) is repaired. */
    @Test
    void applyReconcilesAgainstTheMapsNotTheSavedFile(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.1");
        lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.2");
        lab.ok("vip", "add", "192.0.2.11:53/udp", "--encap", "gue");
        assertMapsMatchFile();
        try (BalancerMaps m = pinnedMaps()) {
            // a VIP in no file, a flag and an encap nobody set, one real's slots taken by another
            m.vip2tnl.put(key("192.0.2.99", 80, 6), new VipMeta(7, 0, 1, 0));
            VipKey k = key("192.0.2.11", 53, 17);
            VipMeta meta = m.vip2tnl.get(k).orElseThrow();
            m.vip2tnl.put(k, new VipMeta(meta.vipId(), 1, 1, meta.ringSlot()));
            VipMeta tcp = m.vip2tnl.get(key("192.0.2.10", 80, 6)).orElseThrow();
            int base = (tcp.vipId() * 2 + tcp.ringSlot()) * 1021;
            int first = m.ring.get(base).orElseThrow();
            for (int i = 0; i < 1021; i++) m.ring.put(base + i, first);
            m.vipAddrs.put(new IpAddr(InetAddress.ofLiteral("192.0.2.99")), 1);
            m.reals.put(99, new IpAddr(InetAddress.ofLiteral("198.51.100.99")));
        }
        assertNotEquals(MapsView.expected(lab.configBytes()), maps());

        String out = lab.ok("apply", "-f", export(tmp).toString());
        assertEquals("~ maps: 3 VIPs rewritten or removed to match the configuration\n", out);
        assertMapsMatchFile();
        assertEquals("nothing to do\n", lab.ok("apply", "-f", export(tmp).toString()), "converged: a second apply has nothing to do");
    }

    /** Finding 2: at capacity, VIPs the file drops are freed before new ones are allocated. */
    @Test
    void applyNearVipCapacityFreesFirst(@TempDir Path tmp) throws Exception {
        lab.attach("--max-vips", "64").ok();
        Path f = tmp.resolve("a.json");
        String base = lab.ok("export");
        Files.writeString(f, configWithVips(base, 62, 0));
        lab.ok("apply", "-f", f.toString());
        assertMapsMatchFile();
        Files.writeString(f, configWithVips(base, 62, 3)); // three ports changed: 3 removed, 3 added
        Cli.Result r = lab.xdplb("apply", "-f", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(62, lab.json("dump", "vip2tnl").path("vip2tnl").size());
        assertMapsMatchFile();
    }

    /** Finding 2, reals: replacing reals when every real id is used works, and no id leaks. */
    @Test
    void applyAtRealCapacityFreesFirst(@TempDir Path tmp) throws Exception {
        lab.attach("--max-reals", "9").ok(); // ids 1..8
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        for (int i = 1; i <= 8; i++) lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100." + i);
        String file = lab.ok("export");
        for (int i = 1; i <= 5; i++) file = file.replace("\"198.51.100." + i + "\"", "\"198.51.100." + (100 + i) + "\"");
        Path f = tmp.resolve("r.json");
        Files.writeString(f, file);
        Cli.Result r = lab.xdplb("apply", "-f", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertMapsMatchFile();
        assertEquals(8, lab.json("dump", "reals").path("reals").size(), "no real id leaked");
    }

    /** Finding 3: a lost vip_addrs count (a kill between vip2tnl and vip_addrs) is re-derived, not incremented. */
    @Test
    void vipAddrsCountIsDerivedNotIncremented(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        try (BalancerMaps m = pinnedMaps()) {
            m.vipAddrs.remove(new IpAddr(InetAddress.ofLiteral("192.0.2.10")));
        }
        lab.ok("vip", "add", "192.0.2.10:443/tcp");
        assertEquals(2, lab.json("dump", "vip_addrs").path("vip_addrs").get(0).path("vips").asInt(),
                "two VIPs on the address, whatever the map said before");
        try (BalancerMaps m = pinnedMaps()) {
            m.vipAddrs.remove(new IpAddr(InetAddress.ofLiteral("192.0.2.10")));
        }
        lab.ok("apply", "-f", export(tmp).toString());
        assertMapsMatchFile();
    }

    /** The pins a kill inside `attach` leaves: program and maps pinned, no link, no director in the file. */
    private void killedAttach() {
        BalancerObject.pinned(InstanceLayout.of(lab.instance)).ensure(BalancerObject.setup(LAB_SIZES));
        assertTrue(Files.exists(lab.pins().resolve("balancer")));
    }

    /** Finding 4: after a killed attach, `attach` works (the pins are leftovers, not an attachment). */
    @Test
    void attachAfterAKilledAttachReplacesTheLeftovers() {
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        killedAttach();
        Cli.Result st = lab.xdplb("status");
        assertEquals(3, st.exit(), st.out());
        assertTrue(st.out().contains("the balancer program is loaded but attached nowhere"), st.out());
        assertEquals("attached balancer to va (netns " + lab.ns.name() + ") (native mode, 1 VIPs programmed)\n",
                lab.attach().ok().out());
        assertMapsMatchFile();
    }

    /** Finding 4: after a killed attach, `apply` attaches (no NPE) and `detach` removes the leftovers. */
    @Test
    void applyAndDetachAfterAKilledAttach(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        Path f = export(tmp);
        lab.ok("detach", "--iface", "va", "--netns", lab.ns.name());
        killedAttach();
        String out = lab.ok("apply", "-f", f.toString());
        assertTrue(out.startsWith("+ director va"), out);
        assertMapsMatchFile();
        assertEquals(0, lab.xdplb("status").exit());

        lab.ok("detach", "--iface", "va", "--netns", lab.ns.name());
        killedAttach();
        assertEquals("the balancer was not attached to va (netns " + lab.ns.name() + "); removed its leftover pins and"
                + " configuration entry (VIPs and reals stay in the file)\n", lab.ok("detach", "--iface", "va", "--netns", lab.ns.name()));
        assertFalse(Files.exists(lab.pins()), "no pin left (the ring map is freed)");
    }

    /** Finding 7: interface deleted and re-created under the director: status says so (exit 3), apply and attach heal. */
    @Test
    void defunctAttachmentIsReportedAndHealed(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        lab.ns.ip("link", "del", "va");
        lab.ns.vethPair("va", "vb");
        Cli.Result st = lab.xdplb("status");
        assertEquals(3, st.exit(), st.out());
        assertTrue(st.out().contains("defunct: interface gone"), st.out());
        assertTrue(st.out().contains("problem: instance " + lab.instance + ": balancer on va (netns " + lab.ns.name()
                + ") is defunct: interface gone"), st.out());

        String added = lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.1");
        assertTrue(added.contains("\nnot live: the balancer of instance " + lab.instance + " is not attached"), added);

        String out = lab.ok("apply", "-f", export(tmp).toString());
        assertTrue(out.startsWith("+ director va"), out);
        assertEquals(0, lab.xdplb("status").exit(), lab.xdplb("status").out());
        assertMapsMatchFile();

        // and `attach` replaces a defunct attachment too
        lab.ns.ip("link", "del", "va");
        lab.ns.vethPair("va", "vb");
        lab.attach().ok();
        assertEquals(0, lab.xdplb("status").exit());
        assertMapsMatchFile();
    }

    /** Finding 8: an apply that must re-attach checks the new egress before detaching the live director. */
    @Test
    void applyThatCannotReattachLeavesTheDirectorAttached(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        String before = lab.ok("dump", "vip2tnl", "reals", "ring", "lb_config");
        String file = lab.ok("export").replace("\"egress\": null", "\"egress\": \"nope0\"");
        assertTrue(file.contains("nope0"), file);
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, file);
        String saved = lab.configBytes();
        Cli.Result r = lab.xdplb("apply", "-f", f.toString());
        assertEquals(1, r.exit());
        assertEquals("xdplb: no interface nope0 in netns " + lab.ns.name() + " (see `ip -n " + lab.ns.name()
                + " link`)\n", r.err());
        assertEquals(0, lab.xdplb("status").exit(), "still attached");
        assertEquals(before, lab.ok("dump", "vip2tnl", "reals", "ring", "lb_config"));
        assertEquals(saved, lab.configBytes());
    }

    /** The balancer's link id as status shows it: the same id means the link was neither replaced nor re-attached. */
    private int balancerLinkId() {
        for (var a : lab.json("status", "--json").path("attachments")) {
            if (a.path("instance").asText().equals(lab.instance) && a.path("program").asText().equals("balancer")) {
                return a.path("linkId").asInt();
            }
        }
        throw new AssertionError("no balancer link in status");
    }

    /** lb_config changed behind the tool's back (MAC, flood threshold, MTU) is rewritten by apply, in place. */
    @Test
    void applyRewritesAHandEditedLbConfig(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.1");
        String before = lab.ok("dump", "lb_config");
        int link = balancerLinkId();
        try (BalancerMaps m = pinnedMaps()) {
            LbConfig c = m.lbConfig.get(0).orElseThrow();
            m.lbConfig.put(0, new LbConfig(c.egressIfindex(), c.srcMac(), new byte[] {2, 0, 0, 0, 0, 9}, c.src4(), c.src6(),
                    c.guePort(), 1400, 7));
        }
        assertNotEquals(before, lab.ok("dump", "lb_config"));

        assertEquals("~ lb_config: gateway-mac 02:00:00:00:00:09 -> 02:00:00:00:00:01, mtu 1400 -> 1500,"
                + " flood-threshold 7 -> 125000 (rewritten to match the configuration)\n", lab.ok("apply", "-f", export(tmp).toString()));
        assertEquals(before, lab.ok("dump", "lb_config"));
        assertEquals(link, balancerLinkId(), "rewritten in place, not re-attached");
        assertEquals("nothing to do\n", lab.ok("apply", "-f", export(tmp).toString()), "converged");
        assertMapsMatchFile();
    }

    /**
     * A file that changes director settings other than interface, mode and sizes is written into
     * lb_config in place: the link and the connection tables (established flows) stay.
     */
    @Test
    void applyChangesDirectorSettingsInPlace(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.1");
        int link = balancerLinkId();
        FlowKey flow = new FlowKey(InetAddress.ofLiteral("203.0.113.7"), InetAddress.ofLiteral("192.0.2.10"), 40000, 80, 6);
        try (BalancerMaps m = pinnedMaps()) {
            m.connTable.putEverywhere(flow, new FlowState(1, m.vip2tnl.get(key("192.0.2.10", 80, 6)).orElseThrow().vipId(), 0));
        }
        String file = lab.ok("export");
        String changed = file.replace("\"src4\": \"192.0.2.1\"", "\"src4\": \"192.0.2.2\"")
                .replace("\"floodThreshold\": 125000", "\"floodThreshold\": 5000")
                .replace("\"gatewayMac\": \"02:00:00:00:00:01\"", "\"gatewayMac\": \"02:00:00:00:00:03\"");
        assertEquals(3, countDiffLines(file, changed), changed);
        Path f = tmp.resolve("settings.json");
        Files.writeString(f, changed);

        assertEquals("~ director va netns=" + lab.ns.name() + " gateway-mac 02:00:00:00:00:01 -> 02:00:00:00:00:03,"
                + " src4 192.0.2.1 -> 192.0.2.2, flood-threshold 125000 -> 5000\n", lab.ok("apply", "-f", f.toString()));
        var lb = lab.json("dump", "lb_config").path("lb_config");
        assertEquals("192.0.2.2", lb.path("src4").asText());
        assertEquals("02:00:00:00:00:03", lb.path("dstMac").asText());
        assertEquals(5000, lb.path("floodThreshold").asInt());
        assertEquals(link, balancerLinkId(), "the link stays");
        try (BalancerMaps m = pinnedMaps()) {
            assertTrue(m.connTable.find(flow).isPresent(), "the established flow keeps its conn-table entry");
        }
        assertEquals("nothing to do\n", lab.ok("apply", "-f", f.toString()));
        assertMapsMatchFile();
    }

    private static int countDiffLines(String a, String b) {
        String[] x = a.split("\n"), y = b.split("\n");
        int n = 0;
        for (int i = 0; i < Math.min(x.length, y.length); i++) if (!x[i].equals(y[i])) n++;
        return n + Math.abs(x.length - y.length);
    }

    /** Lifecycle: detach twice: the second says nothing is attached and changes nothing. */
    @Test
    void detachTwice() {
        lab.attach().ok();
        lab.ok("detach", "--iface", "va", "--netns", lab.ns.name());
        Cli.Result r = lab.xdplb("detach", "--iface", "va", "--netns", lab.ns.name());
        assertEquals(1, r.exit());
        assertEquals("xdplb: xdplb instance " + lab.instance + " has nothing attached to va (netns " + lab.ns.name()
                + "); `xdplb status` lists what is attached\n", r.err());
    }

    /** Lifecycle: a second instance on the same interface is refused, naming the instance that holds it. */
    @Test
    void twoInstancesOnOneInterfaceAreRefused() {
        lab.attach().ok();
        String other = lab.instance + "-b";
        try {
            Cli.Result r = Cli.inInstance(other, "attach", "--iface", "va", "--netns", lab.ns.name(), "--gateway-mac",
                    Lab.GATEWAY_MAC, "--src4", "192.0.2.1", "--ring-size", "1021");
            assertEquals(1, r.exit());
            assertEquals("xdplb: va (netns " + lab.ns.name() + ") already runs xdplb instance " + lab.instance
                    + "'s balancer program; detach it there first (xdplb --instance " + lab.instance + " detach --iface va"
                    + " --netns " + lab.ns.name() + ") or use another interface\n", r.err());
            assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", other)), "nothing pinned for the refused instance");
        } finally {
            Cli.forgetInstance(other);
        }
    }

    /** Lifecycle: a reboot empties the bpffs but keeps the file: status says so (exit 3), `apply -f` restores everything. */
    @Test
    void rebootSimulationApplyRestoresEverything(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.1");
        lab.ok("vip", "add", "[2001:db8::10]:443/udp", "--encap", "gue");
        lab.ok("real", "add", "[2001:db8::10]:443/udp", "198.51.100.2", "--weight", "3");
        Path f = export(tmp);
        try (var all = Files.walk(lab.pins())) { // what a reboot does: every pin (and so every link) gone
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Cli.Result st = lab.xdplb("status");
        assertEquals(3, st.exit(), st.out());
        assertTrue(st.out().contains("problem: instance " + lab.instance + ": its configuration names the director on va"),
                st.out());
        String out = lab.ok("apply", "-f", f.toString());
        assertTrue(out.startsWith("+ director va"), out);
        assertMapsMatchFile();
        assertEquals(0, lab.xdplb("status").exit());
        assertEquals("nothing to do\n", lab.ok("apply", "-f", f.toString()));
    }

    /** A configuration with n VIPs 192.0.2.1..n port 80 (the last `changed` of them on port 8080 instead). */
    private static String configWithVips(String exported, int n, int changed) {
        List<String> vips = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int port = i > n - changed ? 8080 : 80;
            vips.add("{\"vip\": \"192.0.2." + i + ":" + port + "/tcp\", \"reals\": [{\"address\": \"198.51.100." + i + "\"}]}");
        }
        int at = exported.indexOf("\"vips\"");
        int end = exported.indexOf(']', exported.indexOf('[', at));
        // the exported VIP list is empty here ("vips" : [ ])
        return exported.substring(0, at) + "\"vips\": [" + String.join(",", vips) + "]" + exported.substring(end + 1);
    }
}
