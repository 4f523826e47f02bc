package io.xdplb.packet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.xdplb.packet.Bytes.hex;
import static io.xdplb.packet.Bytes.v4;
import static io.xdplb.packet.Bytes.v6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builders and the parser against frames written out byte by byte from the RFC layouts. */
class PacketLibraryTest {
    static final byte[] A = Bytes.mac("02:00:00:00:00:01"), B = Bytes.mac("02:00:00:00:00:02");

    @Test
    void arpRequestByteByByte() {
        byte[] f = Ethernet.frame(Bytes.mac("ff:ff:ff:ff:ff:ff"), A, Ethernet.ARP,
                Arp.request(A, v4("192.0.2.1"), v4("192.0.2.2")));
        assertEquals("ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 c0000201 000000000000 c0000202"
                .replace(" ", ""), Bytes.hex(f));
        Arp.Packet a = Frame.parse(f).arp();
        assertEquals(Arp.REQUEST, a.op());
        assertEquals(v4("192.0.2.2"), a.targetIp());
        assertArrayEquals(A, a.senderMac());
    }

    @Test
    void ipv4HeaderFieldsAndOptions() {
        byte[] p = Ipv4.builder().src(v4("192.168.0.1")).dst(v4("192.168.0.199")).df(true).ttl(64)
                .payload(Payload.raw(Ip.UDP, new byte[0x73 - 20])).build();
        assertEquals("45000073000040004011b861c0a80001c0a800c7", Bytes.hex(Bytes.slice(p, 0, 20)), "RFC 791 layout");

        byte[] opts = hex("07 07 04 00000000 00"); // record route, one slot (7 bytes), EOL pad to 8
        byte[] q = Ipv4.builder().src(v4("192.0.2.1")).dst(v4("192.0.2.2")).tos(0xb8).id(0xbeef).mf(true)
                .fragOffset(185).ttl(3).options(opts).payload(Payload.raw(Ip.GRE, Bytes.pattern(5))).build();
        Ipv4.Packet ip = Ipv4.parse(q);
        assertEquals(7, ip.ihl());
        assertEquals(28 + 5, ip.totalLength());
        assertEquals(0xb8, ip.tos());
        assertEquals(0xbeef, ip.id());
        assertTrue(ip.mf());
        assertFalse(ip.df());
        assertEquals(185, ip.fragOffset());
        assertEquals(0x2000 | 185, Bytes.u16(q, 6));
        assertEquals(3, ip.ttl());
        assertEquals(Ip.GRE, ip.protocol());
        assertArrayEquals(opts, ip.options());
        assertTrue(ip.headerChecksumVerifies(), "checksum covers the options");
        assertInstanceOf(Layer.Raw.class, ip.upper(), "a fragment's payload stays raw");
    }

    @Test
    void ethernetPaddingIsNotPartOfTheIpPacket() {
        byte[] ip = Ipv4.builder().src(v4("192.0.2.1")).dst(v4("192.0.2.2"))
                .payload(Udp.builder().ports(1, 2).data(new byte[4])).build();
        byte[] f = Bytes.concat(Ethernet.frame(A, B, Ethernet.IPV4, ip), new byte[60 - 14 - ip.length]);
        Frame fr = Frame.parse(f);
        assertArrayEquals(ip, fr.ipv4().bytes());
        assertEquals(32, fr.ipv4().totalLength());
        assertEquals(4, fr.ipv4().udp().payload().length);
        assertEquals(46, fr.l3Bytes().length);
    }

    @Test
    void vlanTagIsDecoded() {
        byte[] ip = Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2"))
                .payload(Udp.builder().ports(5, 6)).build();
        byte[] f = Ethernet.tagged(A, B, 0x6064, Ethernet.IPV6, ip);
        assertEquals("8100606486dd", Bytes.hex(Bytes.slice(f, 12, 18)));
        Frame fr = Frame.parse(f);
        assertTrue(fr.tagged());
        assertEquals(0x6064, fr.vlanTci());
        assertEquals(18, fr.l3Offset());
        assertEquals(6, fr.ipv6().udp().dport());
    }

    @Test
    void ipv6ExtensionHeaderChain() {
        byte[] p = Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2")).trafficClass(0xa5).flowLabel(0xabcde)
                .hopLimit(9).ext(Ipv6.hopByHop(8)).ext(Ipv6.routing(0, 0, v6("2001:db8::99"))).ext(Ipv6.destOptions(16))
                .payload(Tcp.builder().ports(1000, 80).flags(Tcp.SYN)).build();
        // version 6, class a5, label abcde
        assertEquals("6a5abcde", Bytes.hex(Bytes.slice(p, 0, 4)));
        assertEquals(8 + 24 + 16 + 20, Bytes.u16(p, 4));
        assertEquals(Ip.HOPOPTS, p[6]);
        assertEquals("2b00 0104 00000000".replace(" ", ""), Bytes.hex(Bytes.slice(p, 40, 48)), "HBH: next=routing, PadN 4");
        assertEquals("3c02 0000 00000000".replace(" ", ""), Bytes.hex(Bytes.slice(p, 48, 56)), "routing: next=dstopts, len 2");
        assertEquals("0601 010c".replace(" ", ""), Bytes.hex(Bytes.slice(p, 72, 76)), "dstopts: next=TCP, len 1, PadN 12");
        Ipv6.Packet ip = Ipv6.parse(p);
        assertEquals(List.of(Ip.HOPOPTS, Ip.ROUTING, Ip.DSTOPTS), ip.extensions().stream().map(Ipv6.ExtHeader::type).toList());
        assertEquals(88, ip.upperOffset());
        assertEquals(Ip.TCP, ip.upperProtocol());
        assertEquals(0xa5, ip.trafficClass());
        assertEquals(0xabcde, ip.flowLabel());
        assertEquals(9, ip.hopLimit());
        assertEquals(1000, ip.tcp().sport());
        assertTrue(ip.tcp().has(Tcp.SYN));
        assertTrue(ip.upperChecksumVerifies());
    }

    @Test
    void routingHeaderWithSegmentsLeftMovesThePseudoHeaderDestination() {
        byte[] p = Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::a"))
                .ext(Ipv6.routing(0, 1, v6("2001:db8::b"))).payload(Udp.builder().ports(1, 2).data(new byte[3])).build();
        Ipv6.Packet ip = Ipv6.parse(p);
        assertEquals(v6("2001:db8::b"), ip.pseudoHeaderDst());
        assertTrue(ip.upperChecksumVerifies());
        assertFalse(Checksum.transportVerifies(ip.src(), ip.dst(), Ip.UDP, ip.upperBytes()));
    }

    @Test
    void ipv6FragmentHeader() {
        byte[] first = Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2")).ext(Ipv6.fragment(0, true, 0xdeadbeefL))
                .payload(Udp.builder().ports(7, 8).data(new byte[16])).build();
        assertEquals("1100 0001 deadbeef".replace(" ", ""), Bytes.hex(Bytes.slice(first, 40, 48)));
        Ipv6.Packet ip = Ipv6.parse(first);
        Ipv6.ExtHeader fh = ip.extensions().get(0);
        assertEquals(0, fh.fragmentOffset());
        assertTrue(fh.moreFragments());
        assertEquals(0xdeadbeefL, fh.fragmentId());
        assertEquals(8, ip.udp().dport(), "a first fragment has ports");

        byte[] later = Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2")).ext(Ipv6.fragment(3, false, 1))
                .payload(Payload.raw(Ip.UDP, new byte[8])).build();
        assertEquals(0x0018, Bytes.u16(later, 42));
        assertInstanceOf(Layer.Raw.class, Ipv6.parse(later).upper());
    }

    @Test
    void tunnelsDecodeLayerByLayer() {
        byte[] inner4 = Ipv4.builder().src(v4("198.51.100.1")).dst(v4("203.0.113.1"))
                .payload(Tcp.builder().ports(1, 2).flags(Tcp.ACK)).build();
        byte[] inner6 = Ipv6.builder().src(v6("2001:db8:c::1")).dst(v6("2001:db8:f::1"))
                .payload(Udp.builder().ports(3, 4)).build();

        IpPacket ipip = Ipv4.parse(Ipv4.builder().src(v4("192.0.2.1")).dst(v4("192.0.2.2"))
                .payload(Ipv4.builder().src(v4("198.51.100.1")).dst(v4("203.0.113.1"))
                        .payload(Tcp.builder().ports(1, 2).flags(Tcp.ACK))).build());
        assertEquals(Ip.IPIP, ipip.upperProtocol());
        assertArrayEquals(inner4, ipip.inner().bytes());
        assertEquals(2, ipip.inner().tcp().dport());

        Ipv6.Packet sixInSix = Ipv6.parse(Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2"))
                .payload(Payload.raw(Ip.IPV6, inner6)).build());
        assertEquals(Ip.IPV6, sixInSix.nextHeader());
        assertEquals(4, sixInSix.inner().udp().dport());

        Ipv6.Packet fourInSix = Ipv6.parse(Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2"))
                .payload(Payload.raw(Ip.IPIP, inner4)).build());
        assertEquals(v4("203.0.113.1"), fourInSix.inner().dst());

        byte[] gue = Ipv4.builder().src(v4("192.0.2.1")).dst(v4("192.0.2.2"))
                .payload(Udp.builder().ports(40000, 6080).data(inner6).zeroChecksum()).build();
        Udp.Datagram u = Ipv4.parse(gue).udp();
        assertEquals(6080, u.dport());
        assertEquals(8 + inner6.length, u.length());
        assertEquals(0, u.checksum());
        assertArrayEquals(inner6, u.gue().bytes(), "GUE variant 1: the IP packet right after the UDP header");
        assertEquals(3, u.gue().udp().sport());
    }

    @Test
    void icmpErrorsQuoteTruncatedPackets() {
        byte[] big = Ipv4.builder().src(v4("203.0.113.1")).dst(v4("198.51.100.1")).df(true)
                .payload(Tcp.builder().ports(80, 40000).flags(Tcp.ACK).data(new byte[1400])).build();
        byte[] quote = Bytes.slice(big, 0, 28);
        Ipv4.Packet err = Ipv4.parse(Ipv4.builder().src(v4("192.0.2.254")).dst(v4("203.0.113.1"))
                .payload(Icmp.fragNeeded(1280, quote)).build());
        Icmp.Message m = err.icmp();
        assertEquals(Icmp.DEST_UNREACH, m.type());
        assertEquals(Icmp.CODE_FRAG_NEEDED, m.code());
        assertEquals(1280, m.nextHopMtu());
        assertEquals(0x0500, Bytes.u16(m.bytes(), 6), "next-hop MTU in the low 16 bits (RFC 1191)");
        assertTrue(m.checksumVerifies());
        IpPacket q = m.quoted();
        assertTrue(q.truncated());
        assertEquals(1440, q.length());
        assertEquals(80, Bytes.u16(q.upperBytes(), 0));

        byte[] big6 = Ipv6.builder().src(v6("2001:db8:f::1")).dst(v6("2001:db8:c::1"))
                .payload(Udp.builder().ports(53, 5353).data(new byte[1400])).build();
        Ipv6.Packet ptb = Ipv6.parse(Ipv6.builder().src(v6("2001:db8::fe")).dst(v6("2001:db8:f::1"))
                .payload(Icmp6.packetTooBig(1280, Bytes.slice(big6, 0, 1232))).build());
        assertEquals(8 + 1232, ptb.payloadLength());
        assertEquals(Icmp6.PACKET_TOO_BIG, ptb.icmp6().type());
        assertEquals(1280, ptb.icmp6().mtu());
        assertTrue(ptb.upperChecksumVerifies());
        assertEquals(5353, Bytes.u16(ptb.icmp6().quoted().upperBytes(), 2));
    }

    @Test
    void neighbourSolicitationAndEcho6() {
        var target = v6("2001:db8::10");
        var dst = Icmp6.solicitedNode(target);
        assertEquals(v6("ff02::1:ff00:10"), dst);
        byte[] p = Ipv6.builder().src(v6("fe80::1")).dst(dst).hopLimit(255).payload(Icmp6.neighborSolicitation(target, A)).build();
        Ipv6.Packet ip = Ipv6.parse(p);
        assertEquals(Icmp6.NEIGHBOR_SOLICIT, ip.icmp6().type());
        assertEquals(target, ip.icmp6().target());
        assertEquals(32, ip.payloadLength());
        assertTrue(ip.upperChecksumVerifies());

        Ipv6.Packet echo = Ipv6.parse(Ipv6.builder().src(v6("2001:db8::1")).dst(v6("2001:db8::2"))
                .payload(Icmp6.echoRequest(0x1234, 7, Bytes.pattern(10))).build());
        assertEquals(0x1234, echo.icmp6().echoId());
        assertEquals(7, echo.icmp6().echoSeq());
        assertTrue(echo.upperChecksumVerifies());
    }

    @Test
    void tcpFieldsAndOptions() {
        byte[] mss = hex("0204 05b4"); // MSS 1460
        byte[] s = Tcp.builder().ports(443, 50000).seq(0xfffffffeL).ack(5).flags(Tcp.SYN | Tcp.ACK | Tcp.ECE)
                .window(1024).options(mss).data(Bytes.pattern(3)).encode(v4("192.0.2.1"), v4("192.0.2.2"));
        Tcp.Segment t = Tcp.parse(s);
        assertEquals(6, t.dataOffset());
        assertEquals(0xfffffffeL, t.seq());
        assertEquals(5, t.ack());
        assertTrue(t.has(Tcp.SYN | Tcp.ACK));
        assertFalse(t.has(Tcp.FIN));
        assertEquals(1024, t.window());
        assertArrayEquals(mss, t.options());
        assertArrayEquals(Bytes.pattern(3), t.data());
        assertTrue(Checksum.transportVerifies(v4("192.0.2.1"), v4("192.0.2.2"), Ip.TCP, s));
    }

    @Test
    void parserRefusesWhatIsNotThere() {
        assertThrows(IllegalArgumentException.class, () -> Frame.parse(new byte[13]));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(new byte[19]));
        assertThrows(IllegalArgumentException.class, () -> Ipv6.parse(hex("60000000")));
        byte[] lldp = Ethernet.frame(A, B, Ethernet.LLDP, new byte[20]);
        assertInstanceOf(Layer.Raw.class, Frame.parse(lldp).l3());
        assertThrows(AssertionError.class, () -> Frame.parse(lldp).ipv4());
    }
}
