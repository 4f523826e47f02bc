package io.xdplb.datapath;

import io.xdplb.libbpf.TestRun;
import io.xdplb.packet.Frame;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Random;

import static io.xdplb.datapath.Director.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 random TCP SYN flows over three equal reals. The ring itself is exactly balanced
 * (slot i holds real i mod 3, 1021 = 340 + 340 + 341 slots), so the spread measured is the data
 * path's hash spread; every flow's real is also checked against the hash predicted in Java.
 */
@RootOnly
class DistributionTest extends DataPathTest {

    @Test
    void tenThousandSynsSplitEvenlyOverThreeReals() throws Exception {
        lb.vip(VIP4, 443, TCP, 1, IPIP, 0);
        lb.ring(1, 0, REALS4);
        Random rnd = new Random(20261123);
        int n = 10_000;
        int[] count = new int[4];
        int mispredicted = 0;
        for (int i = 0; i < n; i++) {
            byte[][] nets = {{(byte) 192, 0, 2}, {(byte) 198, 51, 100}, {(byte) 203, 0, 113}};
            byte[] net = nets[rnd.nextInt(3)];
            byte[] a = {net[0], net[1], net[2], (byte) rnd.nextInt(256)};
            InetAddress client = InetAddress.getByAddress(a);
            int sport = 1024 + rnd.nextInt(64512);
            TestRun.Result r = lb.runFast(synFrame(client, sport, VIP4, 443));
            assertEquals(XDP_TX, r.retval());
            int real = Tunnel.realIdOf(Frame.parse(r.data()).ip().dst());
            count[real]++;
            if (real != ringChoice(FlowHash.of(client, sport, 443, 0), REALS4)) mispredicted++;
        }
        assertEquals(0, mispredicted, "every flow on the real its hash names");
        double third = n / 3.0;
        for (int real : REALS4) {
            assertTrue(Math.abs(count[real] - third) <= 0.05 * third,
                    "real " + real + " got " + count[real] + " of " + n + " (want " + (int) third + " ± 5%)");
        }
        assertEquals(n, count[1] + count[2] + count[3]);
        System.out.printf("distribution over 3 reals: %d %d %d%n", count[1], count[2], count[3]);
    }
}
