package io.xdplb.wire;

import static io.xdplb.wire.Bytes.concat;
import static io.xdplb.wire.Bytes.put16;
import static io.xdplb.wire.Bytes.put32;

/** Frame builders, from the RFCs: every length and checksum computed here, none trusted from the data path. */
public final class Packets {
    private Packets() {}

    public static final int ETH_IP = 0x0800, ETH_IP6 = 0x86dd, ETH_ARP = 0x0806, ETH_VLAN = 0x8100;
    public static final int TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58, IPIP = 4, IPV6 = 41;
    public static final int HOPOPTS = 0, DSTOPTS = 60, FRAGMENT = 44;
    public static final int SYN = 0x02, ACK = 0x10, PSH = 0x08;
    /** frag field of a packet with Don't Fragment set. */
    public static final int DF = 0x4000, MF = 0x2000;

    public static byte[] eth(byte[] dst, byte[] src, int type, byte[] payload) {
        byte[] h = new byte[14];
        System.arraycopy(dst, 0, h, 0, 6);
        System.arraycopy(src, 0, h, 6, 6);
        put16(h, 12, type);
        return concat(h, payload);
    }

    /** Ethernet with one 802.1Q tag. */
    public static byte[] vlanEth(byte[] dst, byte[] src, int tci, int type, byte[] payload) {
        byte[] tag = new byte[4];
        put16(tag, 0, tci);
        put16(tag, 2, type);
        return eth(dst, src, ETH_VLAN, concat(tag, payload));
    }

    /** IPv4 with options (a multiple of 4 bytes), total length and header checksum computed. */
    public static byte[] ipv4(byte[] src, byte[] dst, int proto, int tos, int frag, byte[] options, byte[] payload) {
        int hl = 20 + options.length;
        byte[] h = new byte[hl];
        h[0] = (byte) (0x40 | (hl / 4));
        h[1] = (byte) tos;
        put16(h, 2, hl + payload.length);
        put16(h, 4, 0x1234);
        put16(h, 6, frag);
        h[8] = 64;
        h[9] = (byte) proto;
        System.arraycopy(src, 0, h, 12, 4);
        System.arraycopy(dst, 0, h, 16, 4);
        System.arraycopy(options, 0, h, 20, options.length);
        put16(h, 10, Checksum.of(Checksum.sum(h, 0, hl)));
        return concat(h, payload);
    }

    public static byte[] ipv4(byte[] src, byte[] dst, int proto, byte[] payload) {
        return ipv4(src, dst, proto, 0, DF, new byte[0], payload);
    }

    /** IPv6; payload may start with extension headers (nextHeader names the first). */
    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, int tclass, byte[] payload) {
        byte[] h = new byte[40];
        h[0] = (byte) (0x60 | (tclass >>> 4));
        h[1] = (byte) ((tclass & 0xf) << 4 | 0x1); // flow label 0x1xxxx: something non-zero
        put16(h, 2, 0x2345);
        put16(h, 4, payload.length);
        h[6] = (byte) nextHeader;
        h[7] = 64;
        System.arraycopy(src, 0, h, 8, 16);
        System.arraycopy(dst, 0, h, 24, 16);
        return concat(h, payload);
    }

    /** A hop-by-hop or destination-options header of 8 * (units + 1) bytes (PadN filled). */
    public static byte[] optionsHeader(int nextHeader, int units) {
        byte[] h = new byte[8 * (units + 1)];
        h[0] = (byte) nextHeader;
        h[1] = (byte) units;
        h[2] = 1; // PadN
        h[3] = (byte) (h.length - 4);
        return h;
    }

    /** An IPv6 fragment header. */
    public static byte[] fragmentHeader(int nextHeader, int offset8, boolean more) {
        byte[] h = new byte[8];
        h[0] = (byte) nextHeader;
        put16(h, 2, (offset8 << 3) | (more ? 1 : 0));
        put32(h, 4, 0xabcdef);
        return h;
    }

    public static byte[] tcp(byte[] src, byte[] dst, int sport, int dport, int flags, byte[] data) {
        byte[] h = new byte[20];
        put16(h, 0, sport);
        put16(h, 2, dport);
        put32(h, 4, 1000);
        put32(h, 8, (flags & ACK) != 0 ? 2000 : 0);
        h[12] = 0x50;
        h[13] = (byte) flags;
        put16(h, 14, 65535);
        byte[] seg = concat(h, data);
        put16(seg, 16, Checksum.of(Checksum.pseudo(src, dst, TCP, seg.length) + Checksum.sum(seg, 0, seg.length)));
        return seg;
    }

    public static byte[] udp(byte[] src, byte[] dst, int sport, int dport, byte[] data, boolean zeroChecksum) {
        byte[] d = new byte[8 + data.length];
        put16(d, 0, sport);
        put16(d, 2, dport);
        put16(d, 4, d.length);
        System.arraycopy(data, 0, d, 8, data.length);
        if (!zeroChecksum) {
            int c = Checksum.of(Checksum.pseudo(src, dst, UDP, d.length) + Checksum.sum(d, 0, d.length));
            put16(d, 6, c == 0 ? 0xffff : c);
        }
        return d;
    }

    /** ICMPv4: type, code, the 4 "rest of header" bytes, data; checksum over the message. */
    public static byte[] icmp4(int type, int code, long rest, byte[] data) {
        byte[] m = new byte[8 + data.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        put32(m, 4, rest);
        System.arraycopy(data, 0, m, 8, data.length);
        put16(m, 2, Checksum.of(Checksum.sum(m, 0, m.length)));
        return m;
    }

    /** ICMPv6: like ICMPv4, with the pseudo-header in the checksum. */
    public static byte[] icmp6(byte[] src, byte[] dst, int type, int code, long rest, byte[] data) {
        byte[] m = new byte[8 + data.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        put32(m, 4, rest);
        System.arraycopy(data, 0, m, 8, data.length);
        put16(m, 2, Checksum.of(Checksum.pseudo(src, dst, ICMP6, m.length) + Checksum.sum(m, 0, m.length)));
        return m;
    }

    /** An ARP request (who has target, tell sender). */
    public static byte[] arp(byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        byte[] a = new byte[28];
        put16(a, 0, 1);
        put16(a, 2, ETH_IP);
        a[4] = 6;
        a[5] = 4;
        put16(a, 6, 1);
        System.arraycopy(senderMac, 0, a, 8, 6);
        System.arraycopy(senderIp, 0, a, 14, 4);
        System.arraycopy(targetIp, 0, a, 24, 4);
        return eth(Bytes.mac("ff:ff:ff:ff:ff:ff"), senderMac, ETH_ARP, a);
    }

    public static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (seed + i * 7);
        return b;
    }
}
