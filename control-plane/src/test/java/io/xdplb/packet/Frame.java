package io.xdplb.packet;

/**
 * A decoded Ethernet frame: MACs, the optional 802.1Q tag (vlanTci -1 when untagged), the
 * EtherType of the L3 header, and the L3 layer decoded as far as it goes.
 */
public record Frame(byte[] bytes, byte[] dst, byte[] src, int vlanTci, int etherType, int l3Offset, Layer l3) {

    public static Frame parse(byte[] f) {
        if (f.length < 14) throw new IllegalArgumentException("Ethernet header needs 14 bytes, have " + f.length);
        int type = Bytes.u16(f, 12), off = 14, tci = -1;
        if (type == Ethernet.VLAN) {
            if (f.length < 18) throw new IllegalArgumentException("802.1Q tag cut short");
            tci = Bytes.u16(f, 14);
            type = Bytes.u16(f, 16);
            off = 18;
        }
        byte[] l3 = Bytes.slice(f, off, f.length);
        Layer layer = switch (type) {
            case Ethernet.IPV4, Ethernet.IPV6 -> IpPacket.parse(l3);
            case Ethernet.ARP -> Arp.parse(l3);
            default -> new Layer.Raw(type, l3);
        };
        return new Frame(f.clone(), Bytes.slice(f, 0, 6), Bytes.slice(f, 6, 12), tci, type, off, layer);
    }

    public boolean tagged() {
        return vlanTci >= 0;
    }

    /** Everything after the L2 header (the IP packet plus any Ethernet padding). */
    public byte[] l3Bytes() {
        return Bytes.slice(bytes, l3Offset, bytes.length);
    }

    public IpPacket ip() {
        return as(IpPacket.class);
    }

    public Ipv4.Packet ipv4() {
        return as(Ipv4.Packet.class);
    }

    public Ipv6.Packet ipv6() {
        return as(Ipv6.Packet.class);
    }

    public Arp.Packet arp() {
        return as(Arp.Packet.class);
    }

    private <T> T as(Class<T> c) {
        if (!c.isInstance(l3)) {
            throw new AssertionError("expected " + c.getSimpleName() + " in the frame but found "
                    + l3.getClass().getSimpleName() + " (EtherType 0x" + Integer.toHexString(etherType) + ")");
        }
        return c.cast(l3);
    }
}
