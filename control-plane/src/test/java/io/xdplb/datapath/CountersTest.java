package io.xdplb.datapath;

import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Sending (TX / redirect), the configuration and ring drops, and exact per-VIP / per-real / global counts. */
@RootOnly
class CountersTest extends DataPathTest {

    @Test
    void egressIfindexZeroOrIngressIsTxOtherwiseRedirect() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.ring(1, 0, 2);
        int h = FlowHash.of(CLIENT4, 1111, 80, 0);
        lb.config(INGRESS_IFINDEX, 0);
        Tunnel.assertEncapsulated(lb.run(tcpFrame(CLIENT4, 1111, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED),
                IPIP, realAddress(2));
        lb.config(7, 0);
        Run r = lb.run(tcpFrame(CLIENT4, 1111, VIP4, 80)).verdict(XDP_REDIRECT).counted(REDIRECT, CONN_HIT).countedFor(1, 2);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(2));
    }

    @Test
    void noConfigurationDrops() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.ring(1, 0, 2);
        lb.maps.lbConfig.put(0, new LbConfig(0, new byte[6], new byte[6], null, null, 0, 0, 0));
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_CONFIG).noVipOrRealCounted();
        // no tunnel source at all
        lb.maps.lbConfig.put(0, new LbConfig(0, SRC_MAC, GW_MAC, null, null, GUE_PORT, 0, 0));
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_CONFIG);
        // no next-hop MAC
        lb.maps.lbConfig.put(0, new LbConfig(0, SRC_MAC, new byte[6], SRC4, SRC6, GUE_PORT, 0, 0));
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_CONFIG);
        assertEquals(0, lb.maps.connTable.entries().size(), "checked before real selection");
        // the non-VIP traffic of the host is not affected
        lb.run(tcpFrame(CLIENT4, 1, Bytes.v4("203.0.113.99"), 80)).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void emptyRingDrops() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_REAL, CONN_MISS).noVipOrRealCounted();
        lb.run(synFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_REAL).noVipOrRealCounted();
        lb.ring(1, 0, 9); // ids of reals that do not exist
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_REAL, CONN_MISS);
        lb.ring(1, 1, 2); // the other slot is not live
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_REAL, CONN_MISS);
        assertEquals(0, lb.maps.connTable.entries().size());
    }

    @Test
    void vipIdBeyondTheRingIsNoReal() {
        lb.maps.vip2tnl.put(new VipKey(VIP4, 80, TCP), new VipMeta(MAX_VIPS, 0, IPIP, 0));
        lb.maps.vipAddrs.put(new io.xdplb.maps.IpAddr(VIP4), 1);
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_REAL, CONN_MISS).noVipOrRealCounted();
    }

    @Test
    void unknownEncapIsUnsupported() {
        lb.maps.vip2tnl.put(new VipKey(VIP4, 80, TCP), new VipMeta(1, 0, 2, 0));
        lb.ring(1, 0, 1);
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_UNSUPPORTED).noVipOrRealCounted();
    }

    @Test
    void everyCounterMovesByExactlyTheFramesItSaw() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.vip(VIP6, 80, TCP, 2, GUE, 0);
        lb.ring(1, 0, 1);
        lb.ring(2, 0, 5);
        Counters before = lb.counters();
        byte[] a = tcpFrame(CLIENT4, 1, VIP4, 80);                                          // 91 bytes
        byte[] b = frame(ip(CLIENT4, VIP4, 0, tcp(2, 80, Tcp.ACK).data(new byte[500])));     // 554 bytes
        byte[] c = tcpFrame(CLIENT6, 3, VIP6, 80);
        byte[] d = tcpFrame(CLIENT4, 4, Bytes.v4("203.0.113.99"), 80);
        for (byte[] f : new byte[][] {a, b, b, c, d}) lb.runFast(f);
        Counters after = lb.counters();
        assertEquals(a.length + 2L * b.length, after.vip()[1].bytes() - before.vip()[1].bytes());
        assertEquals(3, after.vip()[1].packets() - before.vip()[1].packets());
        assertEquals(1, after.vip()[2].packets() - before.vip()[2].packets());
        assertEquals(c.length, after.vip()[2].bytes() - before.vip()[2].bytes());
        assertEquals(a.length + 2L * b.length, after.real()[1].bytes() - before.real()[1].bytes());
        assertEquals(c.length, after.real()[5].bytes() - before.real()[5].bytes());
        assertEquals(4, after.lb()[TX.ordinal()].packets() - before.lb()[TX.ordinal()].packets());
        assertEquals(a.length + 2L * b.length + c.length, after.lb()[TX.ordinal()].bytes() - before.lb()[TX.ordinal()].bytes());
        assertEquals(3, after.lb()[CONN_MISS.ordinal()].packets() - before.lb()[CONN_MISS.ordinal()].packets());
        assertEquals(1, after.lb()[CONN_HIT.ordinal()].packets() - before.lb()[CONN_HIT.ordinal()].packets());
        assertEquals(b.length, after.lb()[CONN_HIT.ordinal()].bytes() - before.lb()[CONN_HIT.ordinal()].bytes());
        assertEquals(d.length, after.lb()[PASS_NOT_VIP.ordinal()].bytes() - before.lb()[PASS_NOT_VIP.ordinal()].bytes());
        long verdicts = 0;
        for (Stat s : new Stat[] {PASS_NOT_IP, PASS_NOT_VIP, TX, REDIRECT, DROP_MALFORMED, DROP_FRAGMENT, DROP_NO_REAL,
                DROP_NO_CONFIG, DROP_ENCAP_FAILED, DROP_UNSUPPORTED, ICMP_ECHO_REPLY, TOO_BIG_SENT}) {
            verdicts += after.lb()[s.ordinal()].packets() - before.lb()[s.ordinal()].packets();
        }
        assertEquals(5, verdicts, "every frame counts exactly one verdict reason");
    }
}
