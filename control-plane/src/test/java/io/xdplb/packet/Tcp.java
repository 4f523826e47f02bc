package io.xdplb.packet;

import java.net.InetAddress;

/** TCP (RFC 9293) header: a builder that computes the checksum with the pseudo-header, and a parser. */
public final class Tcp {
    private Tcp() {}

    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder implements Payload {
        private int sport, dport, flags, window = 65535, urgent;
        private long seq, ack;
        private byte[] options = new byte[0], data = new byte[0];
        private Integer dataOffset, checksum;

        public Builder ports(int s, int d) { sport = s; dport = d; return this; }
        public Builder seq(long v) { seq = v; return this; }
        public Builder ack(long v) { ack = v; return this; }
        public Builder flags(int v) { flags = v; return this; }
        public Builder window(int v) { window = v; return this; }
        public Builder urgent(int v) { urgent = v; return this; }
        /** Option bytes, padded with EOL (0) to a multiple of 4. */
        public Builder options(byte[] v) { options = v; return this; }
        public Builder data(byte[] v) { data = v; return this; }
        /** Overrides, for malformed segments. */
        public Builder dataOffset(int words) { dataOffset = words; return this; }
        public Builder checksum(int v) { checksum = v; return this; }

        public int protocol() {
            return Ip.TCP;
        }

        public byte[] encode(InetAddress src, InetAddress dst) {
            int hlen = 20 + ((options.length + 3) & ~3);
            byte[] s = new byte[hlen + data.length];
            Bytes.put16(s, 0, sport);
            Bytes.put16(s, 2, dport);
            Bytes.put32(s, 4, seq);
            Bytes.put32(s, 8, ack);
            s[12] = (byte) ((dataOffset == null ? hlen / 4 : dataOffset) << 4);
            s[13] = (byte) flags;
            Bytes.put16(s, 14, window);
            Bytes.put16(s, 18, urgent);
            System.arraycopy(options, 0, s, 20, options.length);
            System.arraycopy(data, 0, s, hlen, data.length);
            Bytes.put16(s, 16, checksum == null ? Checksum.transport(src, dst, Ip.TCP, s) : checksum);
            return s;
        }
    }

    public record Segment(byte[] bytes, int sport, int dport, long seq, long ack, int dataOffset, int flags, int window,
                          int checksum, int urgent, byte[] options, byte[] data) implements Layer {
        public boolean has(int flag) { return (flags & flag) == flag; }
    }

    public static Segment parse(byte[] b) {
        int doff = (b[12] & 0xff) >>> 4;
        int hlen = Math.max(20, Math.min(doff * 4, b.length));
        return new Segment(b.clone(), Bytes.u16(b, 0), Bytes.u16(b, 2), Bytes.u32(b, 4), Bytes.u32(b, 8), doff,
                b[13] & 0xff, Bytes.u16(b, 14), Bytes.u16(b, 16), Bytes.u16(b, 18), Bytes.slice(b, 20, hlen),
                Bytes.slice(b, hlen, b.length));
    }
}
