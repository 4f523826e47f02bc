package io.xdplb.service.trace;

import io.xdplb.maps.Addresses;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames for trace: one made from a packet description, and any frame taken apart layer by
 * layer (Ethernet, 802.1Q, IPv4/IPv6, IPIP, UDP/GUE, TCP), each length and checksum judged.
 * Every length read from the frame is checked against what is there before it is used.
 */
public final class Frames {
    private Frames() {}

    public static final int TCP = 6, UDP = 17;
    static final int FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10;
    private static final byte[] PAYLOAD = "xdplb trace\n".getBytes(StandardCharsets.US_ASCII);

    /** The packet trace is asked about. tcpFlags only for TCP; vlan 0 = untagged. */
    public record Spec(InetAddress src, int sport, InetAddress dst, int dport, int proto, boolean syn, int vlan) {}

    /** An Ethernet frame from srcMac to dstMac carrying spec, checksums computed. */
    public static byte[] build(Spec s, byte[] dstMac, byte[] srcMac) {
        boolean v6 = !(s.src() instanceof Inet4Address);
        byte[] l4 = s.proto() == TCP ? tcp(s) : udp(s);
        byte[] ip = v6 ? ipv6(s, l4) : ipv4(s, l4);
        int l2 = s.vlan() > 0 ? 18 : 14;
        byte[] f = new byte[l2 + ip.length];
        System.arraycopy(dstMac, 0, f, 0, 6);
        System.arraycopy(srcMac, 0, f, 6, 6);
        int type = v6 ? 0x86dd : 0x0800;
        if (s.vlan() > 0) {
            put16(f, 12, 0x8100);
            put16(f, 14, s.vlan());
            put16(f, 16, type);
        } else {
            put16(f, 12, type);
        }
        System.arraycopy(ip, 0, f, l2, ip.length);
        return f;
    }

    private static byte[] tcp(Spec s) {
        byte[] payload = s.syn() ? new byte[0] : PAYLOAD;
        byte[] t = new byte[20 + payload.length];
        put16(t, 0, s.sport());
        put16(t, 2, s.dport());
        put32(t, 4, 1000);
        put32(t, 8, s.syn() ? 0 : 2000);
        t[12] = 0x50;
        t[13] = (byte) (s.syn() ? SYN : ACK | PSH);
        put16(t, 14, 64240);
        System.arraycopy(payload, 0, t, 20, payload.length);
        put16(t, 16, Checksums.of(t, 0, t.length, Checksums.pseudo(s.src().getAddress(), s.dst().getAddress(), TCP, t.length)));
        return t;
    }

    private static byte[] udp(Spec s) {
        byte[] u = new byte[8 + PAYLOAD.length];
        put16(u, 0, s.sport());
        put16(u, 2, s.dport());
        put16(u, 4, u.length);
        System.arraycopy(PAYLOAD, 0, u, 8, PAYLOAD.length);
        int c = Checksums.of(u, 0, u.length, Checksums.pseudo(s.src().getAddress(), s.dst().getAddress(), UDP, u.length));
        put16(u, 6, c == 0 ? 0xffff : c);
        return u;
    }

    private static byte[] ipv4(Spec s, byte[] l4) {
        byte[] p = new byte[20 + l4.length];
        p[0] = 0x45;
        put16(p, 2, p.length);
        put16(p, 4, 0x1234);
        put16(p, 6, 0x4000); // DF
        p[8] = 64;
        p[9] = (byte) s.proto();
        System.arraycopy(s.src().getAddress(), 0, p, 12, 4);
        System.arraycopy(s.dst().getAddress(), 0, p, 16, 4);
        put16(p, 10, Checksums.of(p, 0, 20, 0));
        System.arraycopy(l4, 0, p, 20, l4.length);
        return p;
    }

    private static byte[] ipv6(Spec s, byte[] l4) {
        byte[] p = new byte[40 + l4.length];
        p[0] = 0x60;
        put16(p, 4, l4.length);
        p[6] = (byte) s.proto();
        p[7] = 64;
        System.arraycopy(s.src().getAddress(), 0, p, 8, 16);
        System.arraycopy(s.dst().getAddress(), 0, p, 24, 16);
        System.arraycopy(l4, 0, p, 40, l4.length);
        return p;
    }

    /** One header of a decoded frame: where it starts, its name, its fields (for people and JSON). */
    public record Layer(String name, int offset, Map<String, Object> fields) {}

    /** A frame taken apart; problems lists every length or checksum that is wrong. */
    public record Decoded(List<Layer> layers, List<String> problems) {
        /** Offset of the innermost IP header, or -1. */
        public int innermostIp() {
            int off = -1;
            for (Layer l : layers) if (l.name().startsWith("ipv") || l.name().startsWith("inner ipv")) off = l.offset();
            return off;
        }

        public Layer first(String name) {
            for (Layer l : layers) if (l.name().equals(name)) return l;
            return null;
        }

        /** Offset of the first IP header, or -1. */
        public int firstIp() {
            for (Layer l : layers) if (l.name().startsWith("ipv")) return l.offset();
            return -1;
        }
    }

    /** Takes the frame apart; guePort says which UDP port carries GUE (variant 1: an IP packet right after UDP). */
    public static Decoded decode(byte[] f, int guePort) {
        List<Layer> layers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (f.length < 14) {
            problems.add("frame of " + f.length + " bytes: shorter than an Ethernet header");
            return new Decoded(layers, problems);
        }
        Map<String, Object> eth = new LinkedHashMap<>();
        eth.put("dst", Addresses.formatMac(slice(f, 0, 6)));
        eth.put("src", Addresses.formatMac(slice(f, 6, 6)));
        int type = get16(f, 12);
        int off = 14;
        if (type == 0x8100 || type == 0x88a8) {
            if (f.length < 18) {
                problems.add("802.1Q tag cut off");
                layers.add(new Layer("ethernet", 0, eth));
                return new Decoded(layers, problems);
            }
            eth.put("vlan", get16(f, 14) & 0xfff);
            type = get16(f, 16);
            off = 18;
        }
        eth.put("type", String.format("0x%04x", type));
        layers.add(new Layer("ethernet", 0, eth));
        if (type == 0x0800) ip(f, off, f.length, 4, guePort, layers, problems, 0);
        else if (type == 0x86dd) ip(f, off, f.length, 6, guePort, layers, problems, 0);
        return new Decoded(layers, problems);
    }

    /** An IP packet at off (end: where the enclosing layer says it ends). */
    private static void ip(byte[] f, int off, int end, int version, int guePort, List<Layer> layers, List<String> problems,
                           int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        String name = depth == 0 ? "ipv" + version : "inner ipv" + version;
        int hlen, total, proto;
        byte[] src, dst;
        if (version == 4) {
            if (end - off < 20) {
                problems.add(name + ": " + (end - off) + " bytes, shorter than its header");
                return;
            }
            hlen = (f[off] & 0x0f) * 4;
            total = get16(f, off + 2);
            proto = f[off + 9] & 0xff;
            src = slice(f, off + 12, 4);
            dst = slice(f, off + 16, 4);
            m.put("src", addr(src));
            m.put("dst", addr(dst));
            m.put("protocol", proto);
            m.put("ttl", f[off + 8] & 0xff);
            m.put("totalLength", total);
            boolean df = (get16(f, off + 6) & 0x4000) != 0;
            m.put("df", df);
            if ((f[off] >> 4 & 0xf) != 4 || hlen < 20 || hlen > end - off) {
                problems.add(name + ": bad version/header length");
                layers.add(new Layer(name, off, m));
                return;
            }
            boolean ok = Checksums.valid(f, off, hlen, 0);
            m.put("headerChecksum", ok ? "valid" : String.format("BAD 0x%04x", get16(f, off + 10)));
            if (!ok) problems.add(name + ": header checksum wrong");
        } else {
            if (end - off < 40) {
                problems.add(name + ": " + (end - off) + " bytes, shorter than its header");
                return;
            }
            hlen = 40;
            total = 40 + get16(f, off + 4);
            proto = f[off + 6] & 0xff;
            src = slice(f, off + 8, 16);
            dst = slice(f, off + 24, 16);
            m.put("src", addr(src));
            m.put("dst", addr(dst));
            m.put("nextHeader", proto);
            m.put("hopLimit", f[off + 7] & 0xff);
            m.put("payloadLength", total - 40);
            m.put("flowLabel", String.format("0x%05x", get32(f, off) & 0xfffff));
        }
        if (total != end - off) {
            problems.add(name + ": length field says " + total + " bytes, " + (end - off) + " follow"
                    + (depth == 0 ? " in the frame" : " in the outer packet"));
            m.put("lengthOk", false);
        } else {
            m.put("lengthOk", true);
        }
        layers.add(new Layer(name, off, m));
        int l4 = off + hlen;
        int l4end = Math.min(end, off + total);
        if (l4end < l4) return;
        if (proto == 4 && depth == 0) {
            ip(f, l4, l4end, 4, guePort, layers, problems, depth + 1);
        } else if (proto == 41 && depth == 0) {
            ip(f, l4, l4end, 6, guePort, layers, problems, depth + 1);
        } else if (proto == UDP) {
            udp(f, l4, l4end, src, dst, guePort, layers, problems, depth);
        } else if (proto == TCP) {
            tcp(f, l4, l4end, src, dst, layers, problems, depth);
        }
    }

    private static void udp(byte[] f, int off, int end, byte[] src, byte[] dst, int guePort, List<Layer> layers,
                            List<String> problems, int depth) {
        String name = depth == 0 ? "udp" : "inner udp";
        if (end - off < 8) {
            problems.add(name + ": cut off");
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        int len = get16(f, off + 4);
        int csum = get16(f, off + 6);
        m.put("sport", get16(f, off));
        m.put("dport", get16(f, off + 2));
        m.put("length", len);
        if (len != end - off) problems.add(name + ": length field says " + len + ", " + (end - off) + " bytes follow");
        boolean v4 = src.length == 4;
        String c;
        if (csum == 0 && v4) {
            c = "none (0, allowed over IPv4)";
        } else if (len == end - off && Checksums.valid(f, off, len, Checksums.pseudo(src, dst, UDP, len))) {
            c = "valid";
        } else {
            c = String.format("BAD 0x%04x", csum);
            problems.add(name + ": checksum wrong");
        }
        m.put("checksum", c);
        boolean gue = depth == 0 && get16(f, off + 2) == guePort && end - off > 8;
        layers.add(new Layer(gue ? "udp (gue)" : name, off, m));
        if (gue) {
            int v = (f[off + 8] >> 4) & 0xf;
            if (v == 4 || v == 6) ip(f, off + 8, end, v, guePort, layers, problems, depth + 1);
        }
    }

    private static void tcp(byte[] f, int off, int end, byte[] src, byte[] dst, List<Layer> layers, List<String> problems,
                            int depth) {
        String name = depth == 0 ? "tcp" : "inner tcp";
        if (end - off < 20) {
            problems.add(name + ": cut off");
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sport", get16(f, off));
        m.put("dport", get16(f, off + 2));
        int fl = f[off + 13] & 0xff;
        List<String> flags = new ArrayList<>();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};
        for (int i = 0; i < names.length; i++) if ((fl & (1 << i)) != 0) flags.add(names[i]);
        m.put("flags", String.join(",", flags));
        boolean ok = Checksums.valid(f, off, end - off, Checksums.pseudo(src, dst, TCP, end - off));
        m.put("checksum", ok ? "valid" : String.format("BAD 0x%04x", get16(f, off + 16)));
        if (!ok) problems.add(name + ": checksum wrong");
        layers.add(new Layer(name, off, m));
    }

    private static String addr(byte[] a) {
        try {
            return Addresses.format(InetAddress.getByAddress(a));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] slice(byte[] f, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(f, off, out, 0, len);
        return out;
    }

    static int get16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    static int get32(byte[] b, int off) {
        return get16(b, off) << 16 | get16(b, off + 2);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        put16(b, off + 2, v);
    }

    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) sb.append(String.format("%02x", x));
        return sb.toString();
    }
}
