package io.xdplb.datapath;

import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.stream.IntStream;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real selection: the ring slot formula, the connection table, TCP SYN re-hashing, the ring flip. */
@RootOnly
class ConnTableTest extends DataPathTest {

    /** The real of the frame's outer destination. */
    private static int realOf(Run r) {
        return Tunnel.realIdOf(r.frame().ip().dst());
    }

    @Test
    void ringSlotIsVipIdTimesTwoPlusSlotTimesRingSizePlusHash() {
        VipMeta v = lb.vip(VIP4, 80, TCP, 5, IPIP, 0);
        lb.maps.vip2tnl.put(new VipKey(VIP4, 80, TCP), new VipMeta(5, 0, IPIP, 1));
        lb.ring(5, 1, 1);
        lb.ring(5, 0, 3);   // the idle slot
        lb.ring(4, 1, 3);   // the neighbouring VIP
        lb.ring(6, 0, 3);
        int h = FlowHash.of(CLIENT4, 4242, 80, v.flags());
        int index = (5 * 2 + 1) * RING + FlowHash.slot(h, RING);
        lb.maps.ring.put(index, 2);
        Run r = lb.run(tcpFrame(CLIENT4, 4242, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(5, 2);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(2));
        lb.maps.ring.put(index, 1);
        lb.maps.ring.put(index + 1, 2);
        lb.maps.connTable.remove(flow(CLIENT4, 4242, VIP4, 80, TCP));
        assertEquals(1, realOf(lb.run(tcpFrame(CLIENT4, 4242, VIP4, 80)).verdict(XDP_TX)), "only that one slot counts");
    }

    @Test
    void firstPacketWritesTheRingChoiceAndLaterPacketsHitIt() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        int real = ringChoice(FlowHash.of(CLIENT4, 5000, 80, 0), REALS4);
        FlowKey key = flow(CLIENT4, 5000, VIP4, 80, TCP);
        long t0 = System.nanoTime();
        lb.run(tcpFrame(CLIENT4, 5000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(3, real);
        FlowState st = lb.conn(key);
        assertNotNull(st, "conn_table entry written");
        assertEquals(real, st.realId());
        assertEquals(3, st.vipId());
        // bpf_ktime_get_coarse_ns and System.nanoTime are both CLOCK_MONOTONIC; coarse lags by a tick
        assertTrue(Math.abs(st.lastSeenNs() - t0) < 100_000_000L, "last_seen_ns " + st.lastSeenNs() + " vs " + t0);
        assertEquals(1, lb.maps.connTable.entries().size());

        lb.run(tcpFrame(CLIENT4, 5000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT).countedFor(3, real);
        assertEquals(st, lb.conn(key), "a TCP hit writes nothing");
        FlowState old = new FlowState(real, 3, st.lastSeenNs() - 3_600_000_000_000L);
        lb.maps.connTable.putEverywhere(key, old);
        lb.run(tcpFrame(CLIENT4, 5000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT);
        assertEquals(old, lb.conn(key), "a TCP entry has no idle timeout and is never refreshed (the LRU ages it out)");
    }

    @Test
    void existingFlowsKeepTheirRealWhenTheRingFlips() {
        VipMeta v = lb.vip(VIP6, 443, TCP, 2, GUE, 0);
        lb.ring(2, 0, REALS6);
        int hA = FlowHash.of(CLIENT6, 6000, 443, 0);
        int a = ringChoice(hA, REALS6);
        assertEquals(a, realOf(lb.run(tcpFrame(CLIENT6, 6000, VIP6, 443)).verdict(XDP_TX)));

        int next = Arrays.stream(REALS6).filter(id -> id != a).findFirst().orElseThrow();
        lb.ring(2, 1, next);                                                  // the idle slot
        lb.maps.vip2tnl.put(new VipKey(VIP6, 443, TCP), new VipMeta(2, v.flags(), GUE, 1));   // the flip

        Run old = lb.run(tcpFrame(CLIENT6, 6000, VIP6, 443)).verdict(XDP_TX).counted(TX, CONN_HIT).countedFor(2, a);
        Tunnel.assertEncapsulated(old, GUE, realAddress(a));
        int hB = FlowHash.of(CLIENT6, 6001, 443, 0);
        Run fresh = lb.run(tcpFrame(CLIENT6, 6001, VIP6, 443)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED)
                .countedFor(2, next);
        Tunnel.assertEncapsulated(fresh, GUE, realAddress(next));
        // a SYN of the old flow (a new connection on the same 5-tuple) follows the new ring
        lb.run(synFrame(CLIENT6, 6000, VIP6, 443)).verdict(XDP_TX).counted(TX, RING_USED).countedFor(2, next);
        assertEquals(next, lb.conn(flow(CLIENT6, 6000, VIP6, 443, TCP)).realId());
    }

    @Test
    void synIgnoresAStaleEntryAndRewritesIt() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        FlowKey key = flow(CLIENT4, 7000, VIP4, 80, TCP);
        lb.maps.connTable.putEverywhere(key, new FlowState(3, 3, 1));
        int h = FlowHash.of(CLIENT4, 7000, 80, 0);
        Run syn = lb.run(synFrame(CLIENT4, 7000, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED).countedFor(3, 1);
        Tunnel.assertEncapsulated(syn, IPIP, realAddress(1));
        assertEquals(1, lb.conn(key).realId(), "the SYN's choice replaces the stale entry");

        lb.maps.connTable.putEverywhere(key, new FlowState(3, 3, 1));
        byte[] synAck = frame(ip(CLIENT4, VIP4, 0, tcp(7000, 80, Tcp.SYN | Tcp.ACK)));
        assertEquals(3, realOf(lb.run(synAck).verdict(XDP_TX).counted(TX, CONN_HIT)), "SYN with ACK is not a new flow");
        byte[] rst = frame(ip(CLIENT4, VIP4, 0, tcp(7000, 80, Tcp.RST)));
        assertEquals(3, realOf(lb.run(rst).verdict(XDP_TX).counted(TX, CONN_HIT)));
    }

    @Test
    void entriesOfAnotherVipOrAMissingRealAreMisses() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        FlowKey key = flow(CLIENT4, 8000, VIP4, 80, TCP);
        lb.maps.connTable.putEverywhere(key, new FlowState(2, 9, 1));
        assertEquals(1, realOf(lb.run(tcpFrame(CLIENT4, 8000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED)));
        assertEquals(new FlowState(1, 3, lb.conn(key).lastSeenNs()), lb.conn(key), "rewritten for this VIP");

        lb.maps.connTable.putEverywhere(key, new FlowState(2, 3, 1));
        lb.maps.reals.put(2, new IpAddr(null));
        assertEquals(1, realOf(lb.run(tcpFrame(CLIENT4, 8000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED)));
        lb.maps.connTable.putEverywhere(key, new FlowState(0, 3, 1));
        assertEquals(1, realOf(lb.run(tcpFrame(CLIENT4, 8000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED)));
    }

    @Test
    void noConntrackNeitherReadsNorWrites() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, NO_CONNTRACK);
        lb.ring(3, 0, 1);
        FlowKey planted = flow(CLIENT4, 9001, VIP4, 80, TCP);
        lb.maps.connTable.putEverywhere(planted, new FlowState(3, 3, 1));
        lb.run(tcpFrame(CLIENT4, 9000, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED).countedFor(3, 1);
        lb.run(synFrame(CLIENT4, 9002, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED);
        assertNull(lb.conn(flow(CLIENT4, 9000, VIP4, 80, TCP)), "no entry written");
        assertEquals(1, realOf(lb.run(tcpFrame(CLIENT4, 9001, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED)),
                "an existing entry is not read");
        assertEquals(new FlowState(3, 3, 1), lb.conn(planted), "nor touched");
        assertEquals(lb.maps.connTable.cpus(), lb.maps.connTable.entries().size(), "the planted entry, once per CPU, and no other");
    }

    @Test
    void noSportPutsFlowsThatDifferOnlyInSourcePortOnOneReal() {
        VipMeta v = lb.vip(VIP4, 80, TCP, 3, GUE, NO_SPORT);
        lb.ring(3, 0, REALS4);
        int[] sports = sportsOnDifferentReals(CLIENT4, 80, 0);
        int h = FlowHash.of(CLIENT4, 0, 80, 0);
        assertEquals(h, FlowHash.of(CLIENT4, sports[0], 80, v.flags()));
        int real = ringChoice(h, REALS4);
        for (int sport : sports) {
            Run r = lb.run(tcpFrame(CLIENT4, sport, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(3, real);
            Tunnel.assertEncapsulated(r, GUE, realAddress(real));
            assertEquals(real, lb.conn(flow(CLIENT4, sport, VIP4, 80, TCP)).realId(), "each flow has its own entry");
        }
        // a different client still hashes apart
        int other = ringChoice(FlowHash.of(CLIENT6, 0, 80, 0), REALS4);
        lb.vip(VIP6, 80, TCP, 4, GUE, NO_SPORT);
        lb.ring(4, 0, REALS4);
        assertEquals(other, realOf(lb.run(tcpFrame(CLIENT6, sports[0], VIP6, 80)).verdict(XDP_TX)));
    }

    /** Two source ports whose flows land on different reals when the source port is hashed. */
    private static int[] sportsOnDifferentReals(InetAddress client, int dport, int flags) {
        int first = ringChoice(FlowHash.of(client, 10000, dport, flags), REALS4);
        for (int s = 10001; ; s++) {
            if (ringChoice(FlowHash.of(client, s, dport, flags), REALS4) != first) return new int[] {10000, s};
        }
    }

    @Test
    void dportOnlyHashesNothingButTheDestinationPort() {
        lb.vip(VIP4, 0, TCP, 3, GUE, DPORT_ONLY);
        lb.ring(3, 0, REALS4);
        for (int dport : new int[] {22, 80, 443, 8080}) {
            int h = FlowHash.of(CLIENT4, 0, dport, DPORT_ONLY);
            int real = ringChoice(h, REALS4);
            for (InetAddress client : new InetAddress[] {CLIENT4, SRC4, Bytes.v4("198.51.100.200")}) {
                for (int sport : new int[] {1, 40000, 65535}) {
                    Run r = lb.run(tcpFrame(client, sport, VIP4, dport)).verdict(XDP_TX).countedFor(3, real);
                    Tunnel.assertEncapsulated(r, GUE, realAddress(real));
                }
            }
        }
        assertTrue(IntStream.of(22, 80, 443, 8080).map(d -> ringChoice(FlowHash.of(CLIENT4, 0, d, DPORT_ONLY), REALS4))
                .distinct().count() > 1, "the ports chosen reach more than one real, so the port is seen to matter");
    }

    @Test
    void allPortsVipAndExactPortPrecedence() {
        lb.vip(VIP4, 0, TCP, 1, IPIP, 0);
        lb.ring(1, 0, 1);
        lb.vip(VIP4, 443, TCP, 2, IPIP, 0);
        lb.ring(2, 0, 3);
        for (int dport : new int[] {1, 80, 442, 444, 65535}) {
            Run r = lb.run(tcpFrame(CLIENT4, 1234, VIP4, dport)).verdict(XDP_TX).countedFor(1, 1);
            Tunnel.assertEncapsulated(r, IPIP, realAddress(1), FlowHash.entropy(CLIENT4, 1234, dport, 0));
        }
        lb.run(tcpFrame(CLIENT4, 1234, VIP4, 443)).verdict(XDP_TX).countedFor(2, 3);
        assertEquals(2, lb.conn(flow(CLIENT4, 1234, VIP4, 443, TCP)).vipId());
        lb.run(frame(ip(CLIENT4, VIP4, 0, udp(1234, 443)))).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void udpFlowsAreTrackedToo() {
        lb.vip(VIP6, 53, UDP, 3, IPIP, 0);
        lb.ring(3, 0, REALS6);
        FlowKey key = flow(CLIENT6, 5353, VIP6, 53, UDP);
        lb.maps.connTable.putEverywhere(key, new FlowState(6, 3, System.nanoTime()));
        Run r = lb.run(frame(ip(CLIENT6, VIP6, 0, udp(5353, 53)))).verdict(XDP_TX).counted(TX, CONN_HIT).countedFor(3, 6);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(6), FlowHash.entropy(CLIENT6, 5353, 53, 0));
    }

    // bpf_ktime_get_coarse_ns and System.nanoTime are both CLOCK_MONOTONIC (coarse lags by a tick):
    // entries are stamped relative to now, with margins of many seconds, so no timing is asserted.

    @Test
    void udpEntryIdleForMoreThan30SecondsNoLongerCounts() {
        lb.vip(VIP4, 53, UDP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        FlowKey key = flow(CLIENT4, 5353, VIP4, 53, UDP);
        byte[] query = frame(ip(CLIENT4, VIP4, 0, udp(5353, 53)));
        lb.maps.connTable.putEverywhere(key, new FlowState(2, 3, System.nanoTime() - 25_000_000_000L));
        assertEquals(2, realOf(lb.run(query).verdict(XDP_TX).counted(TX, CONN_HIT)), "idle 25 s: still the flow's real");
        FlowState refreshed = lb.conn(key);
        assertEquals(2, refreshed.realId());
        assertTrue(refreshed.lastSeenNs() > System.nanoTime() - 10_000_000_000L, "a hit more than a second later refreshes last_seen");

        lb.maps.connTable.putEverywhere(key, new FlowState(2, 3, System.nanoTime() - 31_000_000_000L));
        assertEquals(1, realOf(lb.run(query).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(3, 1)),
                "idle 31 s: the ring chooses again");
        FlowState rewritten = lb.conn(key);
        assertEquals(1, rewritten.realId(), "and its choice replaces the expired entry");
        assertTrue(rewritten.lastSeenNs() > System.nanoTime() - 10_000_000_000L);
        assertEquals(1, realOf(lb.run(query).verdict(XDP_TX).counted(TX, CONN_HIT)));
    }

    @Test
    void udpHitWithinASecondWritesNothing() {
        lb.vip(VIP4, 53, UDP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        FlowKey key = flow(CLIENT4, 5354, VIP4, 53, UDP);
        FlowState planted = new FlowState(2, 3, System.nanoTime() + 500_000_000L); // half a second ahead: fresh
        lb.maps.connTable.putEverywhere(key, planted);
        lb.run(frame(ip(CLIENT4, VIP4, 0, udp(5354, 53)))).verdict(XDP_TX).counted(TX, CONN_HIT).countedFor(3, 2);
        assertEquals(planted, lb.conn(key), "last_seen is rewritten at most once a second");
    }

    @Test
    void tcpEntriesDoNotExpire() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        FlowKey key = flow(CLIENT4, 5355, VIP4, 80, TCP);
        lb.maps.connTable.putEverywhere(key, new FlowState(2, 3, System.nanoTime() - 3_600_000_000_000L));
        assertEquals(2, realOf(lb.run(tcpFrame(CLIENT4, 5355, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT)),
                "idle an hour: a TCP flow keeps its real");
    }
}
