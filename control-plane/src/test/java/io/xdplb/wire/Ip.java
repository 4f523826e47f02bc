package io.xdplb.wire;

import static io.xdplb.wire.Bytes.u16;
import static io.xdplb.wire.Bytes.u8;

/** A parsed IP header at an offset of a frame: the fields the tests check, read from the bytes. */
public record Ip(byte[] frame, int off) {
    public int version() {
        return u8(frame, off) >>> 4;
    }

    public boolean v4() {
        return version() == 4;
    }

    /** IPv4 header length, or 40 for IPv6 (extension headers are the payload's). */
    public int headerLength() {
        return v4() ? (u8(frame, off) & 0xf) * 4 : 40;
    }

    /** The whole packet's length as its header says. */
    public int totalLength() {
        return v4() ? u16(frame, off + 2) : 40 + u16(frame, off + 4);
    }

    /** TOS (IPv4) or traffic class (IPv6). */
    public int tos() {
        return v4() ? u8(frame, off + 1) : ((u8(frame, off) & 0xf) << 4) | (u8(frame, off + 1) >>> 4);
    }

    public int proto() {
        return v4() ? u8(frame, off + 9) : u8(frame, off + 6);
    }

    public int ttl() {
        return v4() ? u8(frame, off + 8) : u8(frame, off + 7);
    }

    public int id() {
        return u16(frame, off + 4);
    }

    public int frag() {
        return u16(frame, off + 6);
    }

    public byte[] srcBytes() {
        return v4() ? Bytes.slice(frame, off + 12, off + 16) : Bytes.slice(frame, off + 8, off + 24);
    }

    public byte[] dstBytes() {
        return v4() ? Bytes.slice(frame, off + 16, off + 20) : Bytes.slice(frame, off + 24, off + 40);
    }

    public String src() {
        return v4() ? Bytes.ipText(frame, off + 12, 4) : Bytes.ipText(frame, off + 8, 16);
    }

    public String dst() {
        return v4() ? Bytes.ipText(frame, off + 16, 4) : Bytes.ipText(frame, off + 24, 16);
    }

    public boolean headerChecksumValid() {
        return Checksum.valid(Checksum.sum(frame, off, headerLength()));
    }

    /** Offset of what follows the (fixed) header. */
    public int payload() {
        return off + headerLength();
    }

    /** The packet's bytes, as long as its header says. */
    public byte[] bytes() {
        return Bytes.slice(frame, off, off + totalLength());
    }

    /** The L4 segment at seg (length len) has a valid checksum with this header's pseudo-header. */
    public boolean l4ChecksumValid(int seg, int len, int proto) {
        return Checksum.valid(Checksum.pseudo(srcBytes(), dstBytes(), proto, len) + Checksum.sum(frame, seg, len));
    }
}
