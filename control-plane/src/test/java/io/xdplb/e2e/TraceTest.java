package io.xdplb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.director.BalancerMaps;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `xdplb trace` in the test network: the real it names is the real that answers a curl of the
 * same 5-tuple (curl --local-port fixes the source port); SYNs re-hash while established
 * flows keep their real; all-ports VIPs; non-VIP packets; and nothing live changes.
 */
@RootOnly
class TraceTest {
    private static final String PREFIX = "xt";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT4 = "198.51.100.2", CLIENT6 = "2001:db8:c::2";
    private static final List<String> REALS4 = List.of("192.0.2.11", "192.0.2.12", "192.0.2.13");
    private static final List<String> REALS6 = List.of("2001:db8:1::11", "2001:db8:1::12", "2001:db8:1::13");
    private static TestEnv env;

    @BeforeAll
    static void buildTheNetwork() {
        env = new TestEnv(PREFIX);
        xdplb("attach", "--iface", "eth0", "--netns", env.ns("dir"), "--max-vips", "8", "--ring-size", "1021");
        vip("203.0.113.10:80/tcp", "gue", REALS4);
        vip("203.0.113.11:80/tcp", "ipip", REALS4);
        vip("[2001:db8:f::10]:80/tcp", "ipip", REALS6);
        vip("203.0.113.20:0/tcp", "gue", REALS4); // all ports
        for (int i = 1; i <= 3; i++) {
            xdplb("realserver", "setup", "--iface", "eth0", "--netns", env.ns("rs" + i), "--vip", "203.0.113.10",
                    "--vip", "203.0.113.11", "--vip", "2001:db8:f::10", "--vip", "203.0.113.20");
        }
    }

    private static void vip(String vip, String encap, List<String> reals) {
        xdplb("vip", "add", vip, "--encap", encap);
        for (String r : reals) xdplb("real", "add", vip, r);
    }

    @AfterAll
    static void tearDown() {
        if (env != null) env.close();
        Cli.forgetInstance(PREFIX);
    }

    private static Cli.Result xdplb(String... args) {
        return Cli.inInstance(PREFIX, args).ok();
    }

    private static JsonNode trace(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("trace", "--json"));
        all.addAll(List.of(args));
        return JSON.readTree(xdplb(all.toArray(String[]::new)).out());
    }

    /** The real (its address) that answers a curl from the client's source port. */
    private static String answeringReal(String url, int sport, boolean v6) {
        Sh.Result r = env.exec("client", 15, "curl", "-s", "-g", "--max-time", "3", "--local-port", "" + sport, url);
        assertEquals(0, r.exit(), "curl " + url + " from port " + sport + ": " + r.err());
        String name = r.out().strip();
        int i = List.of("rs1", "rs2", "rs3").indexOf(name);
        assertTrue(i >= 0, "answer " + name);
        return (v6 ? REALS6 : REALS4).get(i);
    }

    @Test
    void theTracedRealIsTheRealThatAnswersTheSameFiveTuple() throws Exception {
        record Flow(String src, String dst, String url, boolean v6, String match) {}
        List<Flow> flows = List.of(
                new Flow(CLIENT4, "203.0.113.10:80/tcp", "http://203.0.113.10/", false, "exact"),
                new Flow(CLIENT4, "203.0.113.11:80/tcp", "http://203.0.113.11/", false, "exact"),
                new Flow("[" + CLIENT6 + "]", "[2001:db8:f::10]:80/tcp", "http://[2001:db8:f::10]/", true, "exact"),
                new Flow(CLIENT4, "203.0.113.20:80/tcp", "http://203.0.113.20/", false, "all-ports"));
        int port = 41000;
        for (Flow f : flows) {
            List<String> seen = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                int sport = port++;
                JsonNode t = trace("--src", f.src() + ":" + sport, "--dst", f.dst(), "--syn");
                assertEquals("XDP_TX", t.path("verdict").asText(), t.toPrettyString());
                assertEquals(f.match(), t.path("vip").path("match").asText(), t.toPrettyString());
                assertEquals("skipped", t.path("conn").path("result").asText());
                assertEquals("ring", t.path("real").path("from").asText());
                assertEquals(t.path("ring").path("realId").asInt(), t.path("real").path("id").asInt());
                assertEquals(List.of(), JSON.convertValue(t.path("output").path("problems"), List.class), t.toPrettyString());
                assertTrue(t.path("output").path("innerUnchanged").asBoolean(), t.toPrettyString());
                String traced = t.path("real").path("address").asText();
                assertEquals(answeringReal(f.url(), sport, f.v6()), traced, f + " from port " + sport);
                seen.add(traced);
                // the flow is in the live connection table now: an established segment hits it
                JsonNode est = trace("--src", f.src() + ":" + sport, "--dst", f.dst());
                assertEquals("hit", est.path("conn").path("result").asText(), est.toPrettyString());
                assertEquals(traced, est.path("real").path("address").asText());
            }
            assertTrue(seen.stream().distinct().count() > 1, "5 source ports spread over more than one real: " + seen);
        }
    }

    @Test
    void aSynReHashesWhileAnEstablishedFlowKeepsItsReal() throws Exception {
        int sport = 42000;
        String mine = answeringReal("http://203.0.113.11/", sport, false);
        xdplb("real", "add", "203.0.113.11:80/tcp", mine, "--weight", "0"); // drain: the ring no longer has it
        try {
            JsonNode est = trace("--src", CLIENT4 + ":" + sport, "--dst", "203.0.113.11:80/tcp");
            assertEquals("hit", est.path("conn").path("result").asText(), est.toPrettyString());
            assertEquals(mine, est.path("conn").path("entry").path("real").asText());
            assertEquals(mine, est.path("real").path("address").asText());
            assertTrue(est.path("ring").isNull() || est.path("ring").isMissingNode(), "no ring on a hit");
            JsonNode syn = trace("--src", CLIENT4 + ":" + sport, "--dst", "203.0.113.11:80/tcp", "--syn");
            assertEquals("skipped", syn.path("conn").path("result").asText());
            assertEquals("ring", syn.path("real").path("from").asText());
            assertNotEquals(mine, syn.path("real").path("address").asText(), "the SYN avoids the drained real");
            // the text form says the same
            String text = xdplb("trace", "--src", CLIENT4 + ":" + sport, "--dst", "203.0.113.11:80/tcp").out();
            assertTrue(text.lines().anyMatch(l -> l.startsWith("conn table  hit") && l.contains(mine)), text);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("real        " + mine + " (id ")), text);
        } finally {
            xdplb("real", "add", "203.0.113.11:80/tcp", mine, "--weight", "1");
        }
    }

    @Test
    void packetsForNoVipPassWithTheReason() throws Exception {
        JsonNode none = trace("--src", CLIENT4 + ":40000", "--dst", "203.0.113.99:80/tcp");
        assertEquals("XDP_PASS", none.path("verdict").asText());
        assertEquals("none", none.path("vip").path("match").asText());
        assertEquals("203.0.113.99 is not a VIP address", none.path("vip").path("why").asText());
        assertEquals(List.of("pass_not_vip"), JSON.convertValue(none.path("counted"), List.class));
        JsonNode port = trace("--src", CLIENT4 + ":40000", "--dst", "203.0.113.10:81/tcp");
        assertEquals("XDP_PASS", port.path("verdict").asText());
        assertTrue(port.path("vip").path("why").asText().startsWith("203.0.113.10 is a VIP address, but no VIP has port 81/tcp"),
                port.toPrettyString());
        assertTrue(port.path("output").isNull(), "nothing sent");
    }

    @Test
    void aFrameGivenAsHexOrPcapTracesLikeTheDescribedPacket() throws Exception {
        JsonNode described = trace("--src", CLIENT4 + ":43000", "--dst", "203.0.113.10:80/tcp", "--syn", "--vlan", "7");
        assertEquals(7, described.path("packet").path("vlan").asInt());
        assertEquals(7, described.path("output").path("layers").path(0).path("fields").path("vlan").asInt(),
                "the tag is kept: " + described.path("output"));
        String hex = described.path("inputHex").asText();
        JsonNode fromHex = trace("--frame", hex);
        assertEquals(described.path("real"), fromHex.path("real"));
        assertEquals(described.path("output").path("hex"), fromHex.path("output").path("hex"));

        Path pcap = Files.createTempFile("xdplb-trace-", ".pcap");
        try {
            byte[] frame = HexFormat.of().parseHex(hex);
            ByteBuffer b = ByteBuffer.allocate(24 + 16 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            b.putInt(0).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
            Files.write(pcap, b.array());
            JsonNode fromPcap = trace("--pcap", pcap.toString(), "--hex");
            assertEquals(described.path("real"), fromPcap.path("real"));
            Cli.Result missing = Cli.inInstance(PREFIX, "trace", "--pcap", pcap.toString(), "--packet", "2");
            assertEquals(1, missing.exit());
            assertEquals("xdplb: " + pcap + " has 1 packets; --packet 2 is not there", missing.err().strip());
        } finally {
            Files.deleteIfExists(pcap);
        }
        Cli.Result bad = Cli.inInstance(PREFIX, "trace", "--frame", "zz");
        assertEquals(1, bad.exit());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("xdplb: bad --frame"), bad.err());
    }

    @Test
    void traceChangesNoLiveState() throws Exception {
        answeringReal("http://203.0.113.10/", 44000, false); // a live flow in the connection table
        String before = null, after = null;
        Map<String, List<String>> rawBefore = null, rawAfter = null;
        for (int attempt = 0; attempt < 3; attempt++) { // stray packets (ND, ARP) may count meanwhile: try again
            before = stable(xdplb(DIRECTOR_DUMP).out());
            rawBefore = raw();
            trace("--src", CLIENT4 + ":44000", "--dst", "203.0.113.10:80/tcp");            // a hit
            trace("--src", CLIENT4 + ":44001", "--dst", "203.0.113.10:80/tcp");            // a miss: writes
            trace("--src", CLIENT4 + ":44002", "--dst", "203.0.113.20:8080/tcp", "--syn"); // all ports
            trace("--src", CLIENT4 + ":44003", "--dst", "203.0.113.99:80/tcp");            // no VIP
            after = stable(xdplb(DIRECTOR_DUMP).out());
            rawAfter = raw();
            if (before.equals(after) && rawBefore.equals(rawAfter)) break;
        }
        assertEquals(before, after, "dump before and after");
        assertEquals(rawBefore, rawAfter, "every byte of the connection table and counters");
    }

    /** Every map of the director (the reals' decap counters count their own traffic meanwhile). */
    private static final String[] DIRECTOR_DUMP = {"dump", "vip2tnl", "vip_addrs", "reals", "ring", "conn_table", "lb_config",
            "vip_stats", "real_stats", "lb_stats", "--limit", "100000"};

    /** dump without the flows' age, which is "now minus last_seen" and so changes by itself. */
    private static String stable(String dump) {
        return dump.replaceAll("\"(idle|age)Seconds\" : \\d+", "\"$1Seconds\" : _");
    }

    /** Every map of the balancer, byte for byte (per-CPU values included). */
    private static Map<String, List<String>> raw() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        try (BalancerMaps maps = BalancerMaps.pinned(InstanceLayout.of(PREFIX)); Arena arena = Arena.ofConfined()) {
            for (BpfMap m : maps.all()) {
                List<String> rows = new ArrayList<>();
                MemorySegment key = arena.allocate(m.keySize());
                MemorySegment next = arena.allocate(m.keySize());
                MemorySegment value = arena.allocate(m.lookupSize());
                MemorySegment prev = MemorySegment.NULL;
                while (m.nextKey(prev, next)) {
                    MemorySegment.copy(next, 0, key, 0, m.keySize());
                    if (m.lookup(key, value)) {
                        rows.add(HexFormat.of().formatHex(key.toArray(ValueLayout.JAVA_BYTE)) + "="
                                + HexFormat.of().formatHex(value.toArray(ValueLayout.JAVA_BYTE)));
                    }
                    prev = key;
                }
                rows.sort(null);
                out.put(m.name(), rows);
            }
            List<String> flows = new ArrayList<>(); // the per-CPU tables the conn_table array holds
            for (var e : maps.connTable.entries()) flows.add(e.toString());
            flows.sort(null);
            out.put("conn_table (every CPU's table)", flows);
        }
        return out;
    }
}
