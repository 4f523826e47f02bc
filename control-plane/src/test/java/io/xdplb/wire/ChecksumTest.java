package io.xdplb.wire;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests' own checksum and builders, checked against values computed by hand. */
class ChecksumTest {
    @Test
    void aKnownIpv4HeaderChecksum() {
        // 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF: the usual worked example, checksum 0xb861
        byte[] h = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksum.of(Checksum.sum(h, 0, h.length)));
        Bytes.put16(h, 10, 0xb861);
        assertTrue(Checksum.valid(Checksum.sum(h, 0, h.length)));
    }

    @Test
    void rfc1071WorkedSum() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2 (after the end-around carry)
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.fold(Checksum.sum(b, 0, b.length)));
    }

    @Test
    void builtSegmentsCarryValidChecksums() {
        byte[] s = Bytes.ip("198.51.100.2"), d = Bytes.ip("203.0.113.10");
        byte[] seg = Packets.tcp(s, d, 1234, 80, Packets.SYN, Packets.bytes(11, 1));
        assertTrue(Checksum.valid(Checksum.pseudo(s, d, Packets.TCP, seg.length) + Checksum.sum(seg, 0, seg.length)));
        byte[] ip = Packets.ipv4(s, d, Packets.TCP, seg);
        Ip parsed = new Ip(ip, 0);
        assertEquals(20 + seg.length, parsed.totalLength());
        assertTrue(parsed.headerChecksumValid());
        assertEquals("203.0.113.10", parsed.dst());
    }
}
