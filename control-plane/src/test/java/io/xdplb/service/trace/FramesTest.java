package io.xdplb.service.trace;

import io.xdplb.UserError;
import io.xdplb.maps.Addresses;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trace's frames: what it builds is sound, and what it decodes it judges (lengths, checksums) from the bytes alone. */
class FramesTest {
    private static final byte[] A = {2, 0, 0, 0, 0, 1}, B = {2, 0, 0, 0, 0, 2};

    private static byte[] frame(String src, String dst, int proto, boolean syn, int vlan) {
        return Frames.build(new Frames.Spec(Addresses.parseLiteral(src), 40000, Addresses.parseLiteral(dst), 80, proto, syn, vlan), A, B);
    }

    @Test
    void builtFramesDecodeCleanInBothFamiliesWithAndWithoutVlan() {
        for (byte[] f : List.of(frame("198.51.100.2", "203.0.113.10", Frames.TCP, true, 0),
                frame("198.51.100.2", "203.0.113.10", Frames.UDP, false, 7),
                frame("2001:db8::2", "2001:db8:f::10", Frames.TCP, false, 0),
                frame("2001:db8::2", "2001:db8:f::10", Frames.UDP, false, 4094))) {
            Frames.Decoded d = Frames.decode(f, -1);
            assertEquals(List.of(), d.problems(), d.layers().toString());
            assertEquals(3, d.layers().size(), d.layers().toString());
        }
        Frames.Decoded tagged = Frames.decode(frame("198.51.100.2", "203.0.113.10", Frames.TCP, true, 7), -1);
        assertEquals(7, tagged.first("ethernet").fields().get("vlan"));
        assertEquals("SYN", tagged.first("tcp").fields().get("flags"));
    }

    @Test
    void aWrongChecksumOrLengthIsReported() {
        byte[] f = frame("198.51.100.2", "203.0.113.10", Frames.TCP, false, 0);
        byte[] badL4 = f.clone();
        badL4[badL4.length - 1] ^= 1; // payload byte: the TCP checksum no longer matches
        assertEquals(List.of("tcp: checksum wrong"), Frames.decode(badL4, -1).problems());
        byte[] badIp = f.clone();
        badIp[14 + 10] ^= 1; // IPv4 header checksum
        assertTrue(Frames.decode(badIp, -1).problems().contains("ipv4: header checksum wrong"));
        byte[] longer = java.util.Arrays.copyOf(f, f.length + 4); // 4 bytes beyond the IP total length
        assertEquals(List.of("ipv4: length field says " + (f.length - 14) + " bytes, " + (f.length - 10) + " follow in the frame"),
                Frames.decode(longer, -1).problems());
        assertEquals(List.of("frame of 3 bytes: shorter than an Ethernet header"), Frames.decode(new byte[3], -1).problems());
    }

    @Test
    void hexAndPcapInputs() throws Exception {
        byte[] f = frame("198.51.100.2", "203.0.113.10", Frames.UDP, false, 0);
        assertArrayEquals(f, FrameInput.fromHex("0x" + Frames.hex(f)));
        assertArrayEquals(f, FrameInput.fromHex(Frames.hex(f).replaceAll("(..)", "$1:")));
        assertEquals("bad --frame: give the frame as an even number of hex digits, from the Ethernet header on",
                assertThrows(UserError.class, () -> FrameInput.fromHex("abc")).getMessage());
        Path p = Files.createTempFile("frames-test-", ".pcap");
        try {
            Files.write(p, new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            assertTrue(assertThrows(UserError.class, () -> FrameInput.fromPcap(p, 1)).getMessage().contains("is pcapng"));
            Files.write(p, new byte[10]);
            assertTrue(assertThrows(UserError.class, () -> FrameInput.fromPcap(p, 1)).getMessage().contains("not a pcap file"));
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
