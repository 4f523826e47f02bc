package io.xdplb.datapath;

import io.xdplb.director.ConnTables;
import io.xdplb.libbpf.LibbpfRuntime;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** One connection table per CPU: each CPU reads and writes only its own; readers see them all. */
@RootOnly
class PerCpuTablesTest extends DataPathTest {

    private static int realOf(Run r) {
        return Tunnel.realIdOf(r.frame().ip().dst());
    }

    @Test
    void everyPossibleCpuHasATableOfTheConfiguredSize() {
        assertEquals(LibbpfRuntime.possibleCpus(), lb.maps.connTable.cpus());
        assertEquals(SIZES.connTableSize(), lb.maps.connTable.entriesPerCpu(), "--conn-table-size is per CPU");
        assertEquals(SIZES, lb.maps.sizes());
    }

    @Test
    void aFlowIsWrittenIntoTheTableOfTheCpuThatReceivedIt() {
        assumeTrue(lb.maps.connTable.cpus() >= 2, "needs two CPUs");
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        FlowKey a = flow(CLIENT4, 6100, VIP4, 80, TCP), b = flow(CLIENT4, 6101, VIP4, 80, TCP);
        lb.runOn(0, tcpFrame(CLIENT4, 6100, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED);
        lb.runOn(1, tcpFrame(CLIENT4, 6101, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED);
        List<ConnTables.Entry> all = lb.maps.connTable.entries();
        assertEquals(2, all.size(), "every table is read: " + all);
        assertEquals(0, lb.maps.connTable.find(a).orElseThrow().cpu());
        assertEquals(1, lb.maps.connTable.find(b).orElseThrow().cpu());
        lb.runOn(1, tcpFrame(CLIENT4, 6101, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT);
        // the other CPU does not see it: it asks the ring (the same real, Maglev being deterministic) and inserts
        int real = lb.conn(a).realId();
        assertEquals(real, realOf(lb.runOn(1, tcpFrame(CLIENT4, 6100, VIP4, 80)).verdict(XDP_TX)
                .counted(TX, CONN_MISS, RING_USED)));
        assertEquals(3, lb.maps.connTable.entries().size(), "flow a now in both tables");
        assertEquals(2, lb.maps.connTable.entries().stream().filter(e -> e.key().equals(a)).count());
    }

    @Test
    void anEntryOfAnotherCpuIsNotSeen() {
        assumeTrue(lb.maps.connTable.cpus() >= 2, "needs two CPUs");
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        FlowKey key = flow(CLIENT4, 6200, VIP4, 80, TCP);
        lb.maps.connTable.put(1, key, new FlowState(3, 3, 1));
        assertEquals(1, realOf(lb.runOn(0, tcpFrame(CLIENT4, 6200, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED)));
        assertEquals(3, realOf(lb.runOn(1, tcpFrame(CLIENT4, 6200, VIP4, 80)).verdict(XDP_TX).counted(TX, CONN_HIT)));
        assertEquals(new FlowState(3, 3, 1), lb.maps.connTable.entries().stream().filter(e -> e.cpu() == 1)
                .findFirst().orElseThrow().state(), "CPU 1's entry untouched by CPU 0");
    }

    @Test
    void removeAndClearReachEveryCpu() {
        FlowKey key = flow(CLIENT4, 6300, VIP4, 80, TCP);
        lb.maps.connTable.putEverywhere(key, new FlowState(1, 3, 1));
        lb.maps.connTable.putEverywhere(flow(CLIENT4, 6301, VIP4, 80, TCP), new FlowState(1, 3, 1));
        assertEquals(2 * lb.maps.connTable.cpus(), lb.maps.connTable.entries().size());
        assertEquals(true, lb.maps.connTable.remove(key));
        assertEquals(lb.maps.connTable.cpus(), lb.maps.connTable.entries().size());
        assertEquals(1, lb.maps.connTable.entries(1).size(), "a limit bounds the entries read");
        lb.maps.connTable.clear();
        assertEquals(0, lb.maps.connTable.entries().size());
    }
}
