package io.xdplb.packet;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IPv4 (RFC 791): a builder that computes the header checksum, and a parser. */
public final class Ipv4 {
    private Ipv4() {}

    public static final int DF = 0x4000, MF = 0x2000;
    /** RFC 791 option types used by the tests. */
    public static final int OPT_EOL = 0, OPT_NOP = 1, OPT_RECORD_ROUTE = 7, OPT_TIMESTAMP = 68;

    public static Builder builder() {
        return new Builder();
    }

    /** Also a Payload, so that an IPv4 packet can be carried inside another IP header (IPIP, 4in6). */
    public static final class Builder implements Payload {
        private Inet4Address src, dst;
        private int tos, id, ttl = 64, fragOffset;
        private boolean df, mf;
        private byte[] options = new byte[0];
        private Payload payload = Payload.raw(Ip.NONE, new byte[0]);
        private Integer totalLength, ihl, version, checksum, protocol;

        public Builder src(InetAddress a) { src = (Inet4Address) a; return this; }
        public Builder dst(InetAddress a) { dst = (Inet4Address) a; return this; }
        public Builder tos(int v) { tos = v; return this; }
        public Builder id(int v) { id = v; return this; }
        public Builder ttl(int v) { ttl = v; return this; }
        public Builder df(boolean v) { df = v; return this; }
        public Builder mf(boolean v) { mf = v; return this; }
        /** Fragment offset in 8-byte units. */
        public Builder fragOffset(int v) { fragOffset = v; return this; }
        /** Option bytes; padded with EOL (0) to a multiple of 4. */
        public Builder options(byte[] v) { options = v; return this; }
        public Builder payload(Payload p) { payload = p; return this; }
        /** Overrides, for malformed packets. */
        public Builder totalLength(int v) { totalLength = v; return this; }
        public Builder ihl(int v) { ihl = v; return this; }
        public Builder version(int v) { version = v; return this; }
        public Builder checksum(int v) { checksum = v; return this; }
        public Builder protocol(int v) { protocol = v; return this; }

        @Override
        public int protocol() {
            return Ip.IPIP;
        }

        @Override
        public byte[] encode(InetAddress outerSrc, InetAddress outerDst) {
            return build();
        }

        public byte[] build() {
            int optLen = (options.length + 3) & ~3;
            int hlen = 20 + optLen;
            byte[] body = payload.encode(src, dst);
            byte[] p = new byte[hlen + body.length];
            p[0] = (byte) (((version == null ? 4 : version) << 4) | (ihl == null ? hlen / 4 : ihl));
            p[1] = (byte) tos;
            Bytes.put16(p, 2, totalLength == null ? p.length : totalLength);
            Bytes.put16(p, 4, id);
            Bytes.put16(p, 6, (df ? DF : 0) | (mf ? MF : 0) | (fragOffset & 0x1fff));
            p[8] = (byte) ttl;
            p[9] = (byte) (protocol == null ? payload.protocol() : protocol);
            System.arraycopy(src.getAddress(), 0, p, 12, 4);
            System.arraycopy(dst.getAddress(), 0, p, 16, 4);
            System.arraycopy(options, 0, p, 20, options.length);
            Bytes.put16(p, 10, checksum == null ? Checksum.compute(p, 0, hlen) : checksum);
            System.arraycopy(body, 0, p, hlen, body.length);
            return p;
        }
    }

    /** A decoded IPv4 packet. bytes is the packet up to its total length (or the end of the input). */
    public record Packet(byte[] bytes, int version, int ihl, int tos, int totalLength, int id, boolean reservedFlag,
                         boolean df, boolean mf, int fragOffset, int ttl, int protocol, int checksum,
                         Inet4Address src, Inet4Address dst, byte[] options, Layer upper) implements IpPacket {
        public int headerLength() { return ihl * 4; }
        public int length() { return totalLength; }
        public int upperProtocol() { return protocol; }
        public int upperOffset() { return headerLength(); }
        public int trafficClass() { return tos; }
        public boolean headerChecksumVerifies() { return Checksum.ipv4HeaderVerifies(bytes, 0); }
        public byte[] header() { return Bytes.slice(bytes, 0, headerLength()); }
    }

    /**
     * Decodes the IPv4 packet at the start of b. Bytes after total length are not part of it
     * (Ethernet padding); when fewer are present, the packet is truncated (e.g. quoted in an
     * ICMP error) and its upper layer stays raw.
     */
    public static Packet parse(byte[] b) {
        if (b.length < 20) throw new IllegalArgumentException("IPv4 header needs 20 bytes, have " + b.length);
        int version = (b[0] & 0xff) >>> 4, ihl = b[0] & 0x0f;
        int tot = Bytes.u16(b, 2);
        int hlen = ihl * 4;
        if (ihl < 5 || b.length < hlen) throw new IllegalArgumentException("IPv4 IHL " + ihl + " with " + b.length + " bytes");
        byte[] bytes = Bytes.slice(b, 0, Math.min(Math.max(tot, hlen), b.length));
        int flags = Bytes.u16(b, 6);
        int proto = b[9] & 0xff;
        byte[] upperBytes = Bytes.slice(bytes, hlen, bytes.length);
        Layer upper = bytes.length < tot || ((flags & 0x1fff) != 0)
                ? new Layer.Raw(proto, upperBytes) : Layer.decode(proto, upperBytes);
        return new Packet(bytes, version, ihl, b[1] & 0xff, tot, Bytes.u16(b, 4), (flags & 0x8000) != 0,
                (flags & DF) != 0, (flags & MF) != 0, flags & 0x1fff, b[8] & 0xff, proto, Bytes.u16(b, 10),
                (Inet4Address) Bytes.ip(b, 12, 4), (Inet4Address) Bytes.ip(b, 16, 4), Bytes.slice(b, 20, hlen),
                upper);
    }
}
