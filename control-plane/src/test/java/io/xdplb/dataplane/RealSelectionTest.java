package io.xdplb.dataplane;

import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Encap;
import io.xdplb.model.Vip;
import io.xdplb.model.VipFlag;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Ip;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.xdplb.dataplane.BalancerUnderTest.ACK_ONLY;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT4;
import static io.xdplb.dataplane.BalancerUnderTest.REALS4;
import static io.xdplb.dataplane.BalancerUnderTest.TX;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which real a packet goes to: ring, connection table, SYN re-hash, the per-VIP flags, all-ports VIPs. */
@RootOnly
class RealSelectionTest {
    private BalancerUnderTest lb;

    @BeforeEach
    void load() {
        lb = new BalancerUnderTest();
    }

    @AfterEach
    void close() {
        lb.close();
    }

    /** The real the packet was sent to (outer destination), asserting it was encapsulated. */
    private String realOf(byte[] frame) {
        var r = lb.run(frame);
        assertEquals(TX, r.retval());
        return new Ip(r.data(), 14).dst();
    }

    private FlowKey flow(String src, int sport, String dst, int dport) {
        return new FlowKey(InetAddress.ofLiteral(src), InetAddress.ofLiteral(dst), sport, dport, Packets.TCP);
    }

    /** Replaces a VIP's live ring with one that holds only realId, the way the control plane does: idle slot, then flip. */
    private void ringOnly(String vip, int realId) {
        Vip v = Vip.parse(vip);
        VipKey key = new VipKey(v.address(), v.port(), v.proto().number());
        VipMeta m = lb.maps.vip2tnl.get(key).orElseThrow();
        int ring = BalancerUnderTest.SIZES.ringSize();
        int idle = 1 - m.ringSlot();
        List<Integer> slots = new ArrayList<>(), ids = new ArrayList<>();
        for (int i = 0; i < ring; i++) {
            slots.add((m.vipId() * 2 + idle) * ring + i);
            ids.add(realId);
        }
        lb.maps.ring.putAll(slots, ids);
        lb.maps.vip2tnl.put(key, new VipMeta(m.vipId(), m.flags(), m.encap(), idle));
    }

    private int realId(String address) {
        return lb.maps.reals.entries().entrySet().stream()
                .filter(e -> e.getValue().address() != null && e.getValue().address().equals(InetAddress.ofLiteral(address)))
                .findFirst().orElseThrow().getKey();
    }

    @Test
    void anExistingFlowKeepsItsRealWhenTheRingChangesAndNewFlowsFollowTheRing() {
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4);
        String first = realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY));
        FlowState s = lb.maps.connTable.get(flow(CLIENT4, 40000, "203.0.113.10", 80)).orElseThrow();
        assertEquals(realId(first), s.realId(), "the flow is in the connection table");
        String other = REALS4.stream().filter(r -> !r.equals(first)).findFirst().orElseThrow();
        ringOnly("203.0.113.10:80/tcp", realId(other));

        long hits = lb.stat("conn_hit").packets();
        assertEquals(first, realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY)), "sticky");
        assertEquals(hits + 1, lb.stat("conn_hit").packets());
        for (int sport = 50000; sport < 50020; sport++) {
            assertEquals(other, realOf(tcp(CLIENT4, sport, "203.0.113.10", 80, ACK_ONLY)), "new flows follow the new ring");
        }
    }

    @Test
    void aSynAlwaysTakesTheRingAndRewritesTheFlow() {
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4);
        String ringReal = realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, Packets.SYN));
        String stale = REALS4.stream().filter(r -> !r.equals(ringReal)).findFirst().orElseThrow();
        VipMeta m = lb.maps.vip2tnl.get(new VipKey(InetAddress.ofLiteral("203.0.113.10"), 80, Packets.TCP)).orElseThrow();
        lb.maps.connTable.put(flow(CLIENT4, 40000, "203.0.113.10", 80), new FlowState(realId(stale), m.vipId(), 0));

        assertEquals(stale, realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY)), "an ACK trusts the table");
        assertEquals(ringReal, realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, Packets.SYN)), "a SYN re-hashes");
        assertEquals(realId(ringReal), lb.maps.connTable.get(flow(CLIENT4, 40000, "203.0.113.10", 80)).orElseThrow().realId());
        assertEquals(ringReal, realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY)));
    }

    @Test
    void noSportKeepsAClientOnOneRealWhateverItsSourcePort() {
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4, VipFlag.NO_SPORT);
        Set<String> forClient = new HashSet<>();
        for (int sport = 40000; sport < 40030; sport++) forClient.add(realOf(tcp(CLIENT4, sport, "203.0.113.10", 80, Packets.SYN)));
        assertEquals(1, forClient.size(), forClient.toString());
        Set<String> clients = new HashSet<>();
        for (int c = 1; c < 60; c++) clients.add(realOf(tcp("198.51.100." + c, 40000, "203.0.113.10", 80, Packets.SYN)));
        assertEquals(3, clients.size(), "different clients still spread");
    }

    @Test
    void dportOnlySendsEveryoneToOneRealPerPort() {
        lb.vip("203.0.113.10:0/tcp", Encap.IPIP, REALS4, VipFlag.DPORT_ONLY);
        Set<String> reals = new HashSet<>();
        for (int c = 1; c < 40; c++) reals.add(realOf(tcp("198.51.100." + c, 40000 + c, "203.0.113.10", 443, Packets.SYN)));
        assertEquals(1, reals.size(), reals.toString());
    }

    @Test
    void noConntrackWritesNoFlow() {
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4, VipFlag.NO_CONNTRACK);
        realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, Packets.SYN));
        realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY));
        assertTrue(lb.maps.connTable.entries().isEmpty(), "connection table stays empty");
        assertEquals(0, lb.stat("conn_hit").packets() + lb.stat("conn_miss").packets(), "the table is not even read");
    }

    @Test
    void aPortZeroVipTakesEveryPortAndAnExactVipWins() {
        lb.vip("203.0.113.10:0/tcp", Encap.IPIP, REALS4.subList(0, 1));
        lb.vip("203.0.113.10:443/tcp", Encap.IPIP, REALS4.subList(2, 3));
        assertEquals(REALS4.get(0), realOf(tcp(CLIENT4, 40000, "203.0.113.10", 8080, Packets.SYN)));
        assertEquals(REALS4.get(0), realOf(tcp(CLIENT4, 40000, "203.0.113.10", 22, Packets.SYN)));
        assertEquals(REALS4.get(2), realOf(tcp(CLIENT4, 40000, "203.0.113.10", 443, Packets.SYN)));
    }

    @Test
    void removingARealThroughTheControlPlaneForgetsItsFlows() {
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4);
        String first = realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY));
        var vip = Vip.parse("203.0.113.10:80/tcp");
        lb.apply(lb.config().withoutReal(vip, InetAddress.ofLiteral(first)));
        String now = realOf(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY));
        assertNotEquals(first, now, "the flow moved off the removed real");
        assertEquals(realId(now), lb.maps.connTable.get(flow(CLIENT4, 40000, "203.0.113.10", 80)).orElseThrow().realId(),
                "the table now holds the new real");
    }
}
