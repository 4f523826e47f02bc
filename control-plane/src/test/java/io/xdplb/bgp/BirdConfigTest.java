package io.xdplb.bgp;

import io.xdplb.model.Bgp;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.Vip;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BirdConfigTest {
    private static final Config CONFIG = ConfigJson.parse("""
            {"version": 1, "director": {"iface": "eth0", "netns": "lb"},
             "vips": [{"vip": "203.0.113.10:80/tcp", "reals": [{"address": "192.0.2.11"}]},
                      {"vip": "203.0.113.10:443/tcp", "reals": [{"address": "192.0.2.11", "weight": 0}]},
                      {"vip": "203.0.113.11:80/tcp", "reals": [{"address": "192.0.2.11"}], "minHealthy": 2},
                      {"vip": "[2001:db8:f::10]:80/tcp", "reals": [{"address": "2001:db8:1::11"}]}],
             "bgp": {"localAsn": 64497, "holdTime": 3,
                     "peers": [{"address": "192.0.2.1", "asn": 64496},
                               {"address": "2001:db8:1::1", "asn": 64496, "nextHop": "2001:db8:1::99"}]}}
            """, "test");

    @Test
    void rendersOneSessionPerPeerAndTheRoutesAsStaticRoutes() {
        Set<InetAddress> routes = Set.of(InetAddress.ofLiteral("203.0.113.10"), InetAddress.ofLiteral("2001:db8:f::10"));
        String conf = BirdConfig.render(CONFIG.bgp(), "lb1", Path.of("/run/xdplb/lb1/bgp/bird.log"), routes);
        assertTrue(conf.contains("protocol static xdplb_vips4 {\n  ipv4;\n  route 203.0.113.10/32 blackhole;\n}\n"), conf);
        assertTrue(conf.contains("protocol static xdplb_vips6 {\n  ipv6;\n  route 2001:db8:f::10/128 blackhole;\n}\n"), conf);
        assertTrue(conf.contains("protocol bgp peer_192_0_2_1 {\n  local as 64497;\n  neighbor 192.0.2.1 as 64496;\n  hold time 3;\n"
                + "  keepalive time 1;\n"), conf);
        assertTrue(conf.contains("    export where proto = \"xdplb_vips4\";\n    next hop self;\n"), conf);
        assertTrue(conf.contains("protocol bgp peer_2001_db8_1__1 {"), conf);
        assertTrue(conf.contains("export filter { if proto = \"xdplb_vips6\" then { bgp_next_hop = 2001:db8:1::99; accept; } reject; };"), conf);
        assertTrue(conf.contains("graceful restart off;"), conf);
        assertFalse(conf.contains("protocol kernel"), "the routes are only announced, never installed on the director");
        String none = BirdConfig.render(CONFIG.bgp(), "lb1", Path.of("/x.log"), Set.of());
        assertFalse(none.contains("route "), none);
        assertEquals(none.replace("/x.log", "/run/xdplb/lb1/bgp/bird.log"), Speaker.withoutRoutes(conf),
                "withdrawing everything leaves the sessions' text as it was");
    }

    @Test
    void anAddressIsAnnouncedWhileOneOfItsVipsIsServed() {
        Map<Vip, Boolean> served = Announcer.servedByWeight(CONFIG, true);
        assertEquals(Boolean.TRUE, served.get(Vip.parse("203.0.113.10:80/tcp")));
        assertEquals(Boolean.FALSE, served.get(Vip.parse("203.0.113.10:443/tcp")), "its only real is drained");
        assertEquals(Boolean.FALSE, served.get(Vip.parse("203.0.113.11:80/tcp")), "one real up, minHealthy 2");
        assertEquals(Set.of(InetAddress.ofLiteral("203.0.113.10"), InetAddress.ofLiteral("2001:db8:f::10")),
                Announcer.routes(CONFIG, served));
        assertEquals(Set.of(), Announcer.routes(CONFIG, Announcer.servedByWeight(CONFIG, false)), "detached: nothing");
        assertEquals(Set.of(), Announcer.routes(CONFIG.withDirector(null), served), "no director: nothing");
    }

    @Test
    void readsBirdsSessionsAndRoutes() {
        SpeakerState s = SpeakerState.parse("""
                BIRD 2.0.12 ready.
                Name       Proto      Table      State  Since         Info
                device1    Device     ---        up     2026-12-02 03:25:48
                xdplb_vips4 Static    master4    up     2026-12-02 03:25:48
                peer_192_0_2_1 BGP    ---        up     2026-12-02 03:26:00  Established
                peer_2001_db8_1__1 BGP ---       start  2026-12-02 03:25:48  Active        Socket: Connection refused
                """, """
                BIRD 2.0.12 ready.
                Table master4:
                203.0.113.10/32      blackhole [xdplb_vips4 2026-12-02 03:25:48] * (200)
                """);
        assertEquals(2, s.sessions().size());
        assertTrue(s.session("peer_192_0_2_1").established());
        assertEquals("Active Socket: Connection refused", s.session("peer_2001_db8_1__1").info());
        assertEquals(Set.of(InetAddress.ofLiteral("203.0.113.10")), s.offered());
        Bgp bgp = CONFIG.bgp();
        assertEquals("announced (1/1 peers)", Announcer.announcement(Vip.parse("203.0.113.10:80/tcp"), bgp, s));
        assertEquals("withdrawn", Announcer.announcement(Vip.parse("203.0.113.11:80/tcp"), bgp, s));
        assertEquals("withdrawn (no speaker)", Announcer.announcement(Vip.parse("203.0.113.10:80/tcp"), bgp, SpeakerState.NOT_RUNNING));
        assertEquals("-", Announcer.announcement(Vip.parse("203.0.113.10:80/tcp"), null, s));
    }
}
