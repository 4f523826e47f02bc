package io.xdplb.packet;

import java.net.Inet4Address;

/** ARP for IPv4 over Ethernet (RFC 826). */
public final class Arp {
    private Arp() {}

    public static final int REQUEST = 1, REPLY = 2;

    public static byte[] build(int op, byte[] senderMac, Inet4Address senderIp, byte[] targetMac, Inet4Address targetIp) {
        byte[] a = new byte[28];
        Bytes.put16(a, 0, 1);                   // hardware: Ethernet
        Bytes.put16(a, 2, Ethernet.IPV4);       // protocol: IPv4
        a[4] = 6;
        a[5] = 4;
        Bytes.put16(a, 6, op);
        System.arraycopy(senderMac, 0, a, 8, 6);
        System.arraycopy(senderIp.getAddress(), 0, a, 14, 4);
        System.arraycopy(targetMac, 0, a, 18, 6);
        System.arraycopy(targetIp.getAddress(), 0, a, 24, 4);
        return a;
    }

    public static byte[] request(byte[] senderMac, Inet4Address senderIp, Inet4Address targetIp) {
        return build(REQUEST, senderMac, senderIp, new byte[6], targetIp);
    }

    public record Packet(byte[] bytes, int hardwareType, int protocolType, int hardwareLength, int protocolLength,
                         int op, byte[] senderMac, Inet4Address senderIp, byte[] targetMac, Inet4Address targetIp)
            implements Layer {}

    public static Packet parse(byte[] b) {
        if (b.length < 28) throw new IllegalArgumentException("ARP needs 28 bytes, have " + b.length);
        return new Packet(Bytes.slice(b, 0, 28), Bytes.u16(b, 0), Bytes.u16(b, 2), b[4] & 0xff, b[5] & 0xff,
                Bytes.u16(b, 6), Bytes.slice(b, 8, 14), (Inet4Address) Bytes.ip(b, 14, 4), Bytes.slice(b, 18, 24),
                (Inet4Address) Bytes.ip(b, 24, 4));
    }
}
