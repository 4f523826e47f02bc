package io.xdplb.packet;

import java.net.Inet4Address;
import java.net.InetAddress;

/** UDP (RFC 768; over IPv6 RFC 8200 8.1) and GUE variant 1 (draft-ietf-intarea-gue 4.1). */
public final class Udp {
    private Udp() {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder implements Payload {
        private int sport, dport;
        private byte[] data = new byte[0];
        private boolean zeroChecksum;
        private Integer length, checksum;

        public Builder ports(int s, int d) { sport = s; dport = d; return this; }
        public Builder data(byte[] v) { data = v; return this; }
        /** Send checksum 0 ("no checksum", IPv4 only; the builder does not stop you doing it over IPv6). */
        public Builder zeroChecksum() { zeroChecksum = true; return this; }
        /** Overrides, for malformed datagrams. */
        public Builder length(int v) { length = v; return this; }
        public Builder checksum(int v) { checksum = v; return this; }

        public int protocol() {
            return Ip.UDP;
        }

        public byte[] encode(InetAddress src, InetAddress dst) {
            byte[] d = new byte[8 + data.length];
            Bytes.put16(d, 0, sport);
            Bytes.put16(d, 2, dport);
            Bytes.put16(d, 4, length == null ? d.length : length);
            System.arraycopy(data, 0, d, 8, data.length);
            int c;
            if (checksum != null) c = checksum;
            else if (zeroChecksum) c = 0;
            else {
                c = Checksum.transport(src, dst, Ip.UDP, d);
                if (c == 0) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
            }
            Bytes.put16(d, 6, c);
            return d;
        }
    }

    public record Datagram(byte[] bytes, int sport, int dport, int length, int checksum, byte[] payload) implements Layer {
        /** The payload as GUE variant 1: the IP packet directly after the UDP header. */
        public IpPacket gue() {
            return IpPacket.parse(payload);
        }
    }

    public static Datagram parse(byte[] b) {
        int len = Bytes.u16(b, 4);
        int end = len >= 8 && len <= b.length ? len : b.length;
        return new Datagram(b.clone(), Bytes.u16(b, 0), Bytes.u16(b, 2), len, Bytes.u16(b, 6), Bytes.slice(b, 8, end));
    }

    /** True for IPv4 with checksum 0 ("none"), or when the checksum verifies with the pseudo-header. */
    public static boolean checksumVerifies(InetAddress src, InetAddress dst, byte[] datagram) {
        if (src instanceof Inet4Address && Bytes.u16(datagram, 6) == 0) return true;
        return Checksum.transportVerifies(src, dst, Ip.UDP, datagram);
    }
}
