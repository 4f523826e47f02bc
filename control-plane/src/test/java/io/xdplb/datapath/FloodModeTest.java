package io.xdplb.datapath;

import io.xdplb.maps.FloodState;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.packet.Bytes;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SYN-flood mode: above lb_config.flood_threshold new flows in a CPU's second, new flows get
 * their real from the ring but are not inserted, so established flows stay. The one-second
 * window is held open by a start in the future (flood_state), so nothing depends on timing.
 */
@RootOnly
class FloodModeTest extends DataPathTest {
    private static final long FAR_FUTURE = 1L << 62;

    private static int realOf(Run r) {
        return Tunnel.realIdOf(r.frame().ip().dst());
    }

    private static InetAddress client(int i) {
        return Bytes.v4("198.51.100." + (100 + i));
    }

    @Test
    void aboveTheThresholdNewFlowsAreForwardedButNotInserted() {
        lb.config(0, 0, 3);
        lb.maps.floodState.putEverywhere(0, new FloodState(FAR_FUTURE, 0, false));
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        for (int i = 0; i < 3; i++) {
            Run r = lb.run(synFrame(client(i), 7000, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED);
            Tunnel.assertEncapsulated(r, IPIP, realAddress(ringChoice(FlowHash.of(client(i), 7000, 80, 0), REALS4)));
        }
        for (int i = 3; i < 6; i++) {
            int real = ringChoice(FlowHash.of(client(i), 7000, 80, 0), REALS4);
            Run r = lb.run(synFrame(client(i), 7000, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED, FLOOD_BYPASS)
                    .countedFor(3, real);
            Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
            assertNull(lb.conn(flow(client(i), 7000, VIP4, 80, TCP)), "not inserted in flood mode");
        }
        assertEquals(3, lb.maps.connTable.entries().size());
        assertEquals(6, lb.maps.floodState.perCpu(0).get(OneCpu.CPU).newFlows(), "every new flow counted");

        // established flows keep hitting; a bypassed flow's next packet still reaches the ring's real
        lb.run(tcpFrame(client(0), 7000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT);
        int real4 = ringChoice(FlowHash.of(client(4), 7000, 80, 0), REALS4);
        assertEquals(real4, realOf(lb.run(tcpFrame(client(4), 7000, VIP4, 80)).verdict(XDP_TX)
                .counted(TX, CONN_MISS, RING_USED, FLOOD_BYPASS)));
    }

    @Test
    void aFloodEvictsNoEstablishedFlow() {
        lb.config(0, 0, 10);
        lb.maps.floodState.putEverywhere(0, new FloodState(FAR_FUTURE, 0, false));
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        // established flows on the real the ring would not choose for them: only the table sends them there
        for (int i = 0; i < 10; i++) lb.maps.connTable.putEverywhere(flow(client(i), 8000, VIP4, 80, TCP), new FlowState(2, 3, 1));
        lb.maps.floodState.putEverywhere(0, new FloodState(FAR_FUTURE, 10, false));
        // more SYNs from random sources than a CPU's whole table holds (4096 entries)
        byte[] syn = synFrame(CLIENT4, 1, VIP4, 80);
        for (int n = 0; n < 5000; n++) {
            Bytes.put16(syn, 14 + 20, 1 + n % 60000);          // TCP source port
            Bytes.put16(syn, 14 + 14, n / 60000 + 1);          // low bytes of the source address
            assertEquals(XDP_TX, lb.runFast(syn).retval());
        }
        assertEquals(lb.maps.connTable.cpus() * 10, lb.maps.connTable.entries().size(), "only the established flows");
        for (int i = 0; i < 10; i++) {
            assertEquals(2, realOf(lb.run(tcpFrame(client(i), 8000, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT)));
        }
    }

    @Test
    void theWindowEndsAfterASecondAndInsertsResume() {
        lb.config(0, 0, 3);
        lb.maps.floodState.putEverywhere(0, new FloodState(1, 1000, false)); // a window that ended long ago, far over
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        lb.run(synFrame(client(0), 7100, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED);
        FlowKey key = flow(client(0), 7100, VIP4, 80, TCP);
        assertEquals(ringChoice(FlowHash.of(client(0), 7100, 80, 0), REALS4), lb.conn(key).realId(), "inserted");
        FloodState fs = lb.maps.floodState.perCpu(0).get(OneCpu.CPU);
        assertEquals(1, fs.newFlows(), "a new window counts from this flow");
        assertTrue(Math.abs(fs.windowStartNs() - System.nanoTime()) < 10_000_000_000L, "starting now: " + fs);
    }

    @Test
    void aWindowThatEndedOverTheThresholdHoldsTheNextOneFromItsStart() {
        lb.config(0, 0, 3);
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        // the window before ended 0.25 s ago with 1000 new flows: this window is in flood mode at once
        lb.maps.floodState.putEverywhere(0, new FloodState(System.nanoTime() - 1_250_000_000L, 1000, false));
        lb.run(synFrame(client(0), 7300, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED, FLOOD_BYPASS);
        FloodState fs = lb.maps.floodState.perCpu(0).get(OneCpu.CPU);
        assertTrue(fs.flooded(), "held: " + fs);
        assertEquals(1, fs.newFlows());
        // a window over the threshold that ended long ago does not: the flood is over
        lb.maps.floodState.putEverywhere(0, new FloodState(1, 1000, true));
        lb.run(synFrame(client(1), 7300, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED);
        assertEquals(1, lb.maps.connTable.entries().size());
        assertEquals(false, lb.maps.floodState.perCpu(0).get(OneCpu.CPU).flooded());
    }

    @Test
    void thresholdZeroIsNoLimit() {
        lb.config(0, 0, 0);
        lb.maps.floodState.putEverywhere(0, new FloodState(FAR_FUTURE, 1_000_000, false));
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        lb.run(synFrame(client(0), 7200, VIP4, 80)).verdict(XDP_TX).counted(TX, RING_USED);
        assertEquals(1, lb.maps.connTable.entries().size());
    }
}
