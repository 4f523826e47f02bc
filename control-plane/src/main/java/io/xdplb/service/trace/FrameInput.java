package io.xdplb.service.trace;

import io.xdplb.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A frame given to trace as hex or as one packet of a pcap file (classic libpcap format, Ethernet). */
public final class FrameInput {
    private FrameInput() {}

    /** Hex digits; spaces, colons and a leading 0x are ignored. */
    public static byte[] fromHex(String text) {
        String h = text.strip();
        if (h.startsWith("0x") || h.startsWith("0X")) h = h.substring(2);
        h = h.replaceAll("[\\s:]", "");
        if (h.isEmpty() || h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]+")) {
            throw new UserError("bad --frame: give the frame as an even number of hex digits, from the Ethernet header on");
        }
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    /** Packet number n (1 = the first) of a pcap file. */
    public static byte[] fromPcap(Path file, int n) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError("cannot read --pcap " + file + ": " + e.getMessage());
        }
        if (n < 1) throw new UserError("bad --packet " + n + ": packets are numbered from 1");
        ByteBuffer b = ByteBuffer.wrap(all);
        if (all.length < 24) throw new UserError(file + " is not a pcap file (shorter than its header)");
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4 || Integer.reverseBytes(magic) == 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        } else if (magic == 0x0a0d0d0a) {
            throw new UserError(file + " is pcapng: write classic pcap (tcpdump -w, or editcap -F pcap in.pcapng out.pcap)");
        } else {
            throw new UserError(file + " is not a pcap file (magic " + String.format("0x%08x", magic) + ")");
        }
        int linktype = b.getInt(20);
        if (linktype != 1) {
            throw new UserError(file + " has link type " + linktype + ", not Ethernet (1): capture on an Ethernet interface"
                    + " (tcpdump -i IF, not -i any)");
        }
        int off = 24;
        for (int i = 1; ; i++) {
            if (off + 16 > all.length) {
                throw new UserError(file + " has " + (i - 1) + " packets; --packet " + n + " is not there");
            }
            int incl = b.getInt(off + 8);
            int orig = b.getInt(off + 12);
            if (incl < 0 || off + 16 + incl > all.length) throw new UserError(file + ": packet " + i + " is cut off");
            if (i == n) {
                if (incl < orig) {
                    throw new UserError(file + ": packet " + n + " was captured in part (" + incl + " of " + orig
                            + " bytes); capture with tcpdump -s 0");
                }
                byte[] out = new byte[incl];
                System.arraycopy(all, off + 16, out, 0, incl);
                return out;
            }
            off += 16 + incl;
        }
    }
}
