package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.model.AttachMode;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.ConfigStore;
import io.xdplb.model.Director;
import io.xdplb.model.Encap;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Real;
import io.xdplb.model.Sizes;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.model.VipFlag;
import io.xdplb.testing.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JSON that operators script against (`vip list --json`, `real list --json`, `export`), for a
 * configuration built through the model and stored where the CLI reads it. Needs no root: these
 * commands only read the configuration file.
 */
class JsonShapeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String instance = "t-cli-json-" + ProcessHandle.current().pid();
    private Path stateDir;
    private Config config;

    @BeforeEach
    void setUp() {
        stateDir = Path.of(System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"));
        Vip v4 = Vip.parse("192.0.2.10:80/tcp");
        Vip v6 = Vip.parse("[2001:db8::10]:443/udp");
        config = Config.EMPTY.withSizes(new Sizes(8, 64, 1021, 1024))
                .withDirector(new Director("eth0", "lab", AttachMode.GENERIC, null, "02:00:00:00:00:01",
                        IpAddresses.parse4("192.0.2.1", "src4"), null, 6080, 1500, 125000))
                .withVip(VipConfig.of(v6, Encap.parse("gue"), List.of(VipFlag.parse("dport-only"), VipFlag.parse("no-sport"))))
                .withVip(VipConfig.of(v4, Encap.parse("ipip"), List.of()))
                .withReal(v4, new Real(Real.parseAddress("198.51.100.3"), 0))
                .withReal(v4, new Real(Real.parseAddress("198.51.100.2"), 7))
                .withReal(v6, new Real(Real.parseAddress("2001:db8:1::2"), 1))
                .withReal(v6, new Real(Real.parseAddress("198.51.100.2"), 65535));
        ConfigStore.forInstance(stateDir, instance).update(c -> config);
    }

    @AfterEach
    void tearDown() throws IOException {
        Path dir = stateDir.resolve(instance);
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    private JsonNode run(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--instance", instance));
        all.addAll(List.of(args));
        Cli.Result r = Cli.run(all.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().endsWith("\n"), "ends with a newline");
        return JSON.readTree(r.out());
    }

    private static List<String> fields(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Test
    void vipListJsonIsAnArrayOfVipsInCanonicalOrder() throws IOException {
        JsonNode vips = run("vip", "list", "--json");
        assertTrue(vips.isArray());
        assertEquals(2, vips.size());
        for (JsonNode v : vips) {
            assertEquals(List.of("vip", "encap", "flags", "reals", "minHealthy", "check", "ringFingerprint"), fields(v));
            assertTrue(v.path("ringFingerprint").isNull(), "not attached: no live ring");
            assertTrue(v.path("flags").isArray());
            for (JsonNode r : v.path("reals")) {
                assertEquals(List.of("address", "weight"), fields(r));
                assertTrue(r.path("address").isTextual() && r.path("weight").isInt(), r.toString());
            }
        }
        // IPv4 before IPv6; reals by address; flags in bit order whatever order they were given in
        JsonNode v4 = vips.get(0);
        assertEquals("192.0.2.10:80/tcp", v4.path("vip").asText());
        assertEquals("ipip", v4.path("encap").asText());
        assertEquals("[]", v4.path("flags").toString());
        assertEquals("[{\"address\":\"198.51.100.2\",\"weight\":7},{\"address\":\"198.51.100.3\",\"weight\":0}]",
                v4.path("reals").toString());
        JsonNode v6 = vips.get(1);
        assertEquals("[2001:db8::10]:443/udp", v6.path("vip").asText());
        assertEquals("gue", v6.path("encap").asText());
        assertEquals("[\"no-sport\",\"dport-only\"]", v6.path("flags").toString());
        assertEquals("[{\"address\":\"198.51.100.2\",\"weight\":65535},{\"address\":\"2001:db8:1::2\",\"weight\":1}]",
                v6.path("reals").toString());
        // the same objects as in the configuration file, plus the live ring's fingerprint
        for (JsonNode v : vips) ((com.fasterxml.jackson.databind.node.ObjectNode) v).remove("ringFingerprint");
        assertEquals(JSON.readTree(ConfigJson.write(config)).path("vips"), vips);
    }

    @Test
    void realListJsonIsAnArrayOfAddressWeightAndSlots() throws IOException {
        JsonNode reals = run("real", "list", "192.0.2.10:80/tcp", "--json");
        String unchecked = "\"health\":{\"state\":\"unchecked\",\"since\":null,\"lastError\":null}";
        assertEquals("[{\"address\":\"198.51.100.2\",\"weight\":7,\"slots\":1021,\"effectiveWeight\":7," + unchecked + "},"
                + "{\"address\":\"198.51.100.3\",\"weight\":0,\"slots\":0,\"effectiveWeight\":0," + unchecked + "}]", reals.toString());
        // the VIP may be written in any equivalent way
        assertEquals("[{\"address\":\"198.51.100.2\",\"weight\":65535,\"slots\":1021,\"effectiveWeight\":65535," + unchecked + "},"
                + "{\"address\":\"2001:db8:1::2\",\"weight\":1,\"slots\":0,\"effectiveWeight\":1," + unchecked + "}]",
                run("real", "list", "[2001:DB8:0::10]:443/UDP", "--json").toString());
    }

    @Test
    void realListTableShowsDraining() {
        Cli.Result r = Cli.run("--instance", instance, "real", "list", "192.0.2.10:80/tcp");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                REAL          WEIGHT  SLOTS  STATE     HEALTH     SINCE  LAST ERROR
                198.51.100.2  7       1021   active    unchecked  -      -
                198.51.100.3  0       0      draining  unchecked  -      -
                """, r.out());
    }

    @Test
    void exportIsTheCanonicalFileWithEveryField() throws IOException {
        Cli.Result r = Cli.run("--instance", instance, "export");
        assertEquals(0, r.exit(), r.err());
        assertEquals(ConfigJson.write(config), r.out(), "export prints the file's canonical text");
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(List.of("version", "sizes", "director", "vips", "realservers", "bgp"), fields(doc));
        assertEquals(1, doc.path("version").asInt());
        assertEquals(List.of("maxVips", "maxReals", "ringSize", "connTableSize"), fields(doc.path("sizes")));
        assertEquals("{\"maxVips\":8,\"maxReals\":64,\"ringSize\":1021,\"connTableSize\":1024}", doc.path("sizes").toString());
        assertEquals(List.of("iface", "netns", "mode", "egress", "gatewayMac", "src4", "src6", "guePort", "mtu", "floodThreshold"),
                fields(doc.path("director")));
        assertEquals("{\"iface\":\"eth0\",\"netns\":\"lab\",\"mode\":\"generic\",\"egress\":null,"
                + "\"gatewayMac\":\"02:00:00:00:00:01\",\"src4\":\"192.0.2.1\",\"src6\":null,\"guePort\":6080,\"mtu\":1500,\"floodThreshold\":125000}",
                doc.path("director").toString());
        assertEquals(2, doc.path("vips").size());
        assertEquals("[]", doc.path("realservers").toString());
        assertTrue(r.out().startsWith("{\n  \"version\": 1,\n  \"sizes\": {\n    \"maxVips\": 8,"), "two-space indent");
    }

    @Test
    void exportOfAnInstanceWithoutAFileIsTheEmptyConfiguration() {
        Cli.Result r = Cli.run("--instance", instance + "-none", "export");
        assertEquals(0, r.exit(), r.err());
        assertEquals(ConfigJson.write(Config.EMPTY), r.out());
        assertTrue(r.out().contains("\"director\": null"), r.out());
        assertTrue(!Files.exists(stateDir.resolve(instance + "-none")), "export creates nothing");
    }

    @Test
    void emptyListsAreEmptyArrays() throws IOException {
        ConfigStore.forInstance(stateDir, instance).update(c -> Config.EMPTY);
        assertEquals("[]", run("vip", "list", "--json").toString());
        Cli.Result r = Cli.run("--instance", instance, "real", "list", "192.0.2.10:80/tcp", "--json");
        assertEquals(1, r.exit());
        assertEquals("xdplb: VIP 192.0.2.10:80/tcp is not configured (add it with xdplb vip add 192.0.2.10:80/tcp)\n", r.err());
        assertEquals("", r.out());
    }
}
