package io.xdplb.packet;

/** Ethernet II frames (IEEE 802.3), optionally with one 802.1Q tag. No FCS. */
public final class Ethernet {
    private Ethernet() {}

    public static final int IPV4 = 0x0800, ARP = 0x0806, VLAN = 0x8100, IPV6 = 0x86dd, LLDP = 0x88cc;

    public static byte[] frame(byte[] dst, byte[] src, int etherType, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        Bytes.put16(f, 12, etherType);
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    /** A frame with one 802.1Q tag: TPID 0x8100, TCI (PCP, DEI, VLAN id), then the EtherType. */
    public static byte[] tagged(byte[] dst, byte[] src, int tci, int etherType, byte[] payload) {
        byte[] inner = new byte[4 + payload.length];
        Bytes.put16(inner, 0, tci);
        Bytes.put16(inner, 2, etherType);
        System.arraycopy(payload, 0, inner, 4, payload.length);
        return frame(dst, src, VLAN, inner);
    }

    /** The EtherType of an IP packet, from its version nibble. */
    public static int typeOf(byte[] ipPacket) {
        return switch ((ipPacket[0] & 0xff) >>> 4) {
            case 4 -> IPV4;
            case 6 -> IPV6;
            default -> throw new IllegalArgumentException("not an IP packet");
        };
    }
}
