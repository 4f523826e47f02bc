package io.xdplb.libbpf;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BtfEnums reads the counters' enums as bpftool does, and refuses a damaged file with one clear exception. */
class BtfEnumsTest {
    @Test
    void readsTheEnumsBpftoolReads() throws Exception {
        for (String[] c : new String[][] {{"balancer", "xdplb_stat"}, {"decap", "xdplb_decap_stat"}}) {
            Map<String, Integer> expected = bpftoolEnum(c[0], c[1]);
            assertTrue(expected.size() > 3, "bpftool found the enum " + c[1]);
            assertEquals(expected, BtfEnums.of(BpfObject.resource(c[0]), c[1]));
        }
    }

    @Test
    void anEnumNotThereIsEmpty() {
        assertEquals(Map.of(), BtfEnums.of(BpfObject.resource("balancer"), "no_such_enum"));
    }

    @Test
    void damagedFilesGiveOneClearException() {
        byte[] elf = BpfObject.resource("balancer");
        assertEquals("bad BTF in BPF object: not an ELF file",
                assertThrows(IllegalArgumentException.class, () -> BtfEnums.of(new byte[10], "xdplb_stat")).getMessage());
        Random random = new Random(12);
        int refused = 0;
        for (int i = 0; i < 300; i++) {
            byte[] d = i % 2 == 0 ? java.util.Arrays.copyOf(elf, random.nextInt(elf.length)) : elf.clone();
            if (i % 2 == 1) for (int k = 0; k < 8; k++) d[random.nextInt(d.length)] = (byte) random.nextInt(256);
            try {
                BtfEnums.of(d, "xdplb_stat"); // a flipped byte may well leave the enum readable
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("bad BTF in BPF object: "), e.getMessage());
                refused++;
            }
        }
        // a file cut short loses its section headers (they come last): every cut one is refused
        assertTrue(refused >= 150, refused + " of 300 refused");
    }

    /** The enum as `bpftool btf dump file` prints it. */
    private static Map<String, Integer> bpftoolEnum(String object, String name) throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("btf-", ".o");
        try {
            java.nio.file.Files.write(f, BpfObject.resource(object));
            Process p = new ProcessBuilder("bpftool", "btf", "dump", "file", f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            Matcher m = Pattern.compile("\\] ENUM '" + name + "'[^\\n]*\\n((?:\\t'[^\\n]*\\n)*)").matcher(out);
            assertTrue(m.find(), "bpftool shows enum " + name);
            Map<String, Integer> values = new LinkedHashMap<>();
            Matcher e = Pattern.compile("\\t'(\\w+)' val=(-?\\d+)").matcher(m.group(1));
            while (e.find()) values.put(e.group(1), Integer.parseInt(e.group(2)));
            return values;
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }
}
