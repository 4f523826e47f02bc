package io.xdplb.datapath;

import io.xdplb.packet.Bytes;
import io.xdplb.packet.Checksum;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Frame;
import io.xdplb.packet.Ip;
import io.xdplb.packet.IpPacket;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Udp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks an encapsulated frame against its input: first field by field through the parser (for
 * readable failures), then the whole frame against one built here independently from the
 * documented outer header layout.
 */
final class Tunnel {
    private Tunnel() {}

    /**
     * run.out must be run.in's IP packet (and any Ethernet padding) unchanged behind an outer
     * header to real: IPIP / 6in6 / 4in6 or GUE, source lb_config.src4/src6, TTL 64, TOS copied,
     * MACs from lb_config, the input's VLAN tag kept. entropy is the flow's outer-header entropy
     * (GUE source port, IPv6 flow label: {@link FlowHash#entropy}).
     */
    static Frame assertEncapsulated(Director.Run run, int encap, InetAddress real, int entropy) {
        int hash = entropy;
        byte[] in = run.in();
        Frame inFrame = Frame.parse(in);
        byte[] innerAll = inFrame.l3Bytes();                  // the IP packet plus any padding
        IpPacket inner = inFrame.ip();
        int innerLen = inner.length();
        boolean outer6 = real instanceof Inet6Address, gue = encap == Director.GUE;
        int overhead = (outer6 ? 40 : 20) + (gue ? 8 : 0);
        int l2 = inFrame.l3Offset();
        int proto = gue ? Ip.UDP : inner.version() == 4 ? Ip.IPIP : Ip.IPV6;

        byte[] out = run.out();
        assertEquals(in.length + overhead, out.length, "frame grows by exactly the outer headers");
        Frame f = Frame.parse(out);
        assertArrayEquals(Director.GW_MAC, f.dst(), "destination MAC = lb_config.dst_mac");
        assertArrayEquals(Director.SRC_MAC, f.src(), "source MAC = lb_config.src_mac");
        assertEquals(inFrame.vlanTci(), f.vlanTci(), "802.1Q tag kept");
        assertEquals(outer6 ? Ethernet.IPV6 : Ethernet.IPV4, f.etherType());
        assertEquals(l2, f.l3Offset());

        IpPacket outer = f.ip();
        assertEquals(Director.realAddress(realIdOf(real)), outer.dst(), "outer destination = the real");
        assertEquals(64, outer.ttl(), "outer TTL / hop limit");
        assertEquals(inner.trafficClass(), outer.trafficClass(), "DSCP/ECN copied to the outer header");
        assertEquals(proto, outer.upperProtocol());
        assertEquals(innerLen + overhead, outer.length(), "outer length = inner length + overhead");
        if (outer instanceof Ipv4.Packet o4) {
            assertEquals(Director.SRC4, o4.src());
            assertEquals(5, o4.ihl());
            assertEquals(0, o4.id(), "outer id 0");
            assertTrue(o4.df(), "outer DF");
            assertFalse(o4.mf());
            assertEquals(0, o4.fragOffset());
            assertTrue(o4.headerChecksumVerifies(), "outer IPv4 header checksum");
        } else if (outer instanceof Ipv6.Packet o6) {
            assertEquals(Director.SRC6, o6.src());
            assertEquals(FlowHash.flowLabel(hash), o6.flowLabel(), "flow label = entropy & 0xfffff");
            assertTrue(o6.extensions().isEmpty());
        }
        byte[] carried;
        if (gue) {
            Udp.Datagram u = outer.udp();
            assertEquals(FlowHash.gueSourcePort(hash), u.sport(), "GUE source port = 0x8000 | entropy & 0x7fff");
            assertEquals(Director.GUE_PORT, u.dport());
            assertEquals(8 + innerLen, u.length(), "UDP length");
            if (outer6) {
                assertNotEquals(0, u.checksum(), "GUE over IPv6 needs a UDP checksum");
                assertTrue(Checksum.transportVerifies(outer.src(), outer.dst(), Ip.UDP,
                        Bytes.slice(out, l2 + 40, l2 + 40 + 8 + innerLen)), "GUE-over-IPv6 UDP checksum");
            } else {
                assertEquals(0, u.checksum(), "GUE over IPv4 sends UDP checksum 0");
            }
            carried = u.payload();
        } else {
            carried = outer.upperBytes();
        }
        assertArrayEquals(inner.bytes(), carried, "inner IP packet byte-identical");
        assertArrayEquals(innerAll, Bytes.slice(out, l2 + overhead, out.length), "inner packet and padding unchanged");

        assertEquals(Bytes.hex(expectedFrame(in, inFrame, innerLen, real, gue, proto, hash)), Bytes.hex(out),
                "the whole frame");
        return f;
    }

    /** The same for a TCP or UDP packet: the entropy of its own flow (client address and ports). */
    static Frame assertEncapsulated(Director.Run run, int encap, InetAddress real) {
        IpPacket inner = Frame.parse(run.in()).ip();
        int sport, dport;
        if (inner.upperProtocol() == Ip.TCP) {
            sport = inner.tcp().sport();
            dport = inner.tcp().dport();
        } else {
            sport = inner.udp().sport();
            dport = inner.udp().dport();
        }
        return assertEncapsulated(run, encap, real, FlowHash.entropy(inner.src(), sport, dport, 0));
    }

    /** The expected output frame, built byte by byte from the documented layout. */
    static byte[] expectedFrame(byte[] in, Frame inFrame, int innerLen, InetAddress real, boolean gue, int proto, int hash) {
        IpPacket inner = inFrame.ip();
        byte[] innerAll = inFrame.l3Bytes();
        boolean outer6 = real instanceof Inet6Address;
        byte[] l2 = Bytes.slice(in, 0, inFrame.l3Offset());
        System.arraycopy(Director.GW_MAC, 0, l2, 0, 6);
        System.arraycopy(Director.SRC_MAC, 0, l2, 6, 6);
        Bytes.put16(l2, l2.length - 2, outer6 ? Ethernet.IPV6 : Ethernet.IPV4);

        byte[] udp = new byte[0];
        if (gue) {
            udp = new byte[8];
            Bytes.put16(udp, 0, FlowHash.gueSourcePort(hash));
            Bytes.put16(udp, 2, Director.GUE_PORT);
            Bytes.put16(udp, 4, 8 + innerLen);
            if (outer6) {
                int c = Checksum.transport(Director.SRC6, real, Ip.UDP,
                        Bytes.concat(udp, Bytes.slice(innerAll, 0, innerLen)));
                Bytes.put16(udp, 6, c == 0 ? 0xffff : c);
            }
        }
        byte[] ip;
        if (!outer6) {
            ip = new byte[20];
            ip[0] = 0x45;
            ip[1] = (byte) inner.trafficClass();
            Bytes.put16(ip, 2, 20 + udp.length + innerLen);
            Bytes.put16(ip, 6, 0x4000);
            ip[8] = 64;
            ip[9] = (byte) proto;
            System.arraycopy(Director.SRC4.getAddress(), 0, ip, 12, 4);
            System.arraycopy(((Inet4Address) real).getAddress(), 0, ip, 16, 4);
            Bytes.put16(ip, 10, Checksum.compute(ip, 0, 20));
        } else {
            ip = new byte[40];
            Bytes.put32(ip, 0, (6L << 28) | ((long) inner.trafficClass() << 20) | FlowHash.flowLabel(hash));
            Bytes.put16(ip, 4, udp.length + innerLen);
            ip[6] = (byte) proto;
            ip[7] = 64;
            System.arraycopy(Director.SRC6.getAddress(), 0, ip, 8, 16);
            System.arraycopy(real.getAddress(), 0, ip, 24, 16);
        }
        return Bytes.concat(l2, ip, udp, innerAll);
    }

    static int realIdOf(InetAddress a) {
        int i = Director.REALS.indexOf(a);
        if (i < 0) throw new IllegalArgumentException("not a test real: " + a);
        return i + 1;
    }
}
