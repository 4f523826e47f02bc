package io.xdplb.packet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** IPv6 (RFC 8200) with hop-by-hop, routing, destination-options and fragment headers. */
public final class Ipv6 {
    private Ipv6() {}

    public static Builder builder() {
        return new Builder();
    }

    /** An extension header to build: its type and its bytes (bytes 0-1 are filled in by the builder). */
    public record Ext(int type, byte[] bytes) {}

    /** Hop-by-hop options header of totalBytes (a multiple of 8), filled with padding options. */
    public static Ext hopByHop(int totalBytes) {
        return new Ext(Ip.HOPOPTS, paddedOptions(totalBytes));
    }

    /** Destination-options header of totalBytes (a multiple of 8), filled with padding options. */
    public static Ext destOptions(int totalBytes) {
        return new Ext(Ip.DSTOPTS, paddedOptions(totalBytes));
    }

    private static byte[] paddedOptions(int totalBytes) {
        if (totalBytes < 8 || totalBytes % 8 != 0 || totalBytes > 2048) throw new IllegalArgumentException("" + totalBytes);
        byte[] h = new byte[totalBytes];
        h[2] = 1;                           // PadN (RFC 8200 4.2)
        h[3] = (byte) (totalBytes - 4);     // its data length: the rest of the header
        return h;
    }

    /** Routing header in the type 0 layout (RFC 2460 4.4): type, segments left, reserved, addresses. */
    public static Ext routing(int routingType, int segmentsLeft, Inet6Address... addresses) {
        byte[] h = new byte[8 + 16 * addresses.length];
        h[2] = (byte) routingType;
        h[3] = (byte) segmentsLeft;
        for (int i = 0; i < addresses.length; i++) System.arraycopy(addresses[i].getAddress(), 0, h, 8 + 16 * i, 16);
        return new Ext(Ip.ROUTING, h);
    }

    /** Fragment header (RFC 8200 4.5); offset in 8-byte units. */
    public static Ext fragment(int offset, boolean more, long id) {
        byte[] h = new byte[8];
        Bytes.put16(h, 2, (offset << 3) | (more ? 1 : 0));
        Bytes.put32(h, 4, id);
        return new Ext(Ip.FRAGMENT, h);
    }

    /** Also a Payload, so that an IPv6 packet can be carried inside another IP header (6in6). */
    public static final class Builder implements Payload {
        private Inet6Address src, dst;
        private int trafficClass, flowLabel, hopLimit = 64;
        private final List<Ext> ext = new ArrayList<>();
        private Payload payload = Payload.raw(Ip.NONE, new byte[0]);
        private Integer payloadLength, version;

        public Builder src(InetAddress a) { src = (Inet6Address) a; return this; }
        public Builder dst(InetAddress a) { dst = (Inet6Address) a; return this; }
        public Builder trafficClass(int v) { trafficClass = v; return this; }
        public Builder flowLabel(int v) { flowLabel = v; return this; }
        public Builder hopLimit(int v) { hopLimit = v; return this; }
        public Builder ext(Ext e) { ext.add(e); return this; }
        public Builder payload(Payload p) { payload = p; return this; }
        /** Overrides, for malformed packets. */
        public Builder payloadLength(int v) { payloadLength = v; return this; }
        public Builder version(int v) { version = v; return this; }

        @Override
        public int protocol() {
            return Ip.IPV6;
        }

        @Override
        public byte[] encode(InetAddress outerSrc, InetAddress outerDst) {
            return build();
        }

        public byte[] build() {
            InetAddress finalDst = dst;
            for (Ext e : ext) {
                if (e.type() == Ip.ROUTING && e.bytes()[3] != 0 && e.bytes().length >= 24) {
                    finalDst = Bytes.ip6(e.bytes(), e.bytes().length - 16);
                }
            }
            byte[] upper = payload.encode(src, finalDst);
            int extLen = ext.stream().mapToInt(e -> e.bytes().length).sum();
            byte[] p = new byte[40 + extLen + upper.length];
            Bytes.put32(p, 0, ((long) (version == null ? 6 : version) << 28) | ((long) (trafficClass & 0xff) << 20)
                    | (flowLabel & 0xfffff));
            Bytes.put16(p, 4, payloadLength == null ? extLen + upper.length : payloadLength);
            p[6] = (byte) (ext.isEmpty() ? payload.protocol() : ext.get(0).type());
            p[7] = (byte) hopLimit;
            System.arraycopy(src.getAddress(), 0, p, 8, 16);
            System.arraycopy(dst.getAddress(), 0, p, 24, 16);
            int off = 40;
            for (int i = 0; i < ext.size(); i++) {
                byte[] h = ext.get(i).bytes().clone();
                h[0] = (byte) (i + 1 < ext.size() ? ext.get(i + 1).type() : payload.protocol());
                h[1] = (byte) (ext.get(i).type() == Ip.FRAGMENT ? 0 : h.length / 8 - 1);
                System.arraycopy(h, 0, p, off, h.length);
                off += h.length;
            }
            System.arraycopy(upper, 0, p, off, upper.length);
            return p;
        }
    }

    /** A decoded extension header: type, offset inside the packet, and its bytes. */
    public record ExtHeader(int type, int offset, byte[] bytes) {
        public int nextHeader() { return bytes[0] & 0xff; }
        public int fragmentOffset() { return Bytes.u16(bytes, 2) >>> 3; }
        public boolean moreFragments() { return (bytes[3] & 1) != 0; }
        public long fragmentId() { return Bytes.u32(bytes, 4); }
    }

    public record Packet(byte[] bytes, int version, int trafficClass, int flowLabel, int payloadLength, int nextHeader,
                         int hopLimit, Inet6Address src, Inet6Address dst, List<ExtHeader> extensions,
                         int upperProtocol, int upperOffset, Layer upper) implements IpPacket {
        public int length() { return 40 + payloadLength; }
        public int ttl() { return hopLimit; }

        @Override
        public InetAddress pseudoHeaderDst() {
            for (ExtHeader e : extensions) {
                if (e.type() == Ip.ROUTING && (e.bytes()[3] & 0xff) != 0 && e.bytes().length >= 24) {
                    return Bytes.ip6(e.bytes(), e.bytes().length - 16);
                }
            }
            return dst;
        }
    }

    /**
     * Decodes the IPv6 packet at the start of b, walking hop-by-hop, routing, destination-options
     * and fragment headers. A non-first fragment or a truncated packet keeps its upper layer raw.
     */
    public static Packet parse(byte[] b) {
        if (b.length < 40) throw new IllegalArgumentException("IPv6 header needs 40 bytes, have " + b.length);
        long w0 = Bytes.u32(b, 0);
        int plen = Bytes.u16(b, 4);
        byte[] bytes = Bytes.slice(b, 0, Math.min(40 + plen, b.length));
        List<ExtHeader> ext = new ArrayList<>();
        int nh = b[6] & 0xff, off = 40;
        boolean laterFragment = false;
        while ((nh == Ip.HOPOPTS || nh == Ip.ROUTING || nh == Ip.DSTOPTS || nh == Ip.FRAGMENT) && off + 8 <= bytes.length) {
            int len = nh == Ip.FRAGMENT ? 8 : ((bytes[off + 1] & 0xff) + 1) * 8;
            if (off + len > bytes.length) break;
            ExtHeader h = new ExtHeader(nh, off, Bytes.slice(bytes, off, off + len));
            if (nh == Ip.FRAGMENT && h.fragmentOffset() != 0) laterFragment = true;
            ext.add(h);
            nh = h.nextHeader();
            off += len;
        }
        byte[] upperBytes = Bytes.slice(bytes, off, bytes.length);
        Layer upper = bytes.length < 40 + plen || laterFragment ? new Layer.Raw(nh, upperBytes) : Layer.decode(nh, upperBytes);
        return new Packet(bytes, (int) (w0 >>> 28), (int) (w0 >>> 20) & 0xff, (int) w0 & 0xfffff, plen, b[6] & 0xff,
                b[7] & 0xff, Bytes.ip6(b, 8), Bytes.ip6(b, 24), List.copyOf(ext),
                nh, off, upper);
    }
}
