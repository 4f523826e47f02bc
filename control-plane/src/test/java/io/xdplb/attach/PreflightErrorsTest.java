package io.xdplb.attach;

import io.xdplb.libbpf.BpfLoadException;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.testing.JavaCli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment errors a user meets before anything is attached: each one line, non-zero, nothing done. */
@RootOnly
class PreflightErrorsTest {

    @Test
    void notRootIsRefusedWithAHint() throws Exception {
        List<String> cp = new ArrayList<>();
        Path copy = JavaCli.worldReadableCopy(JavaCli.runtimeClassPath(), cp);
        try {
            Sh.Result r = JavaCli.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), cp,
                    "pass", "attach", "--iface", "lo");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertEquals("xdplb: xdplb pass attach needs root (it loads BPF programs and pins them under"
                    + " /sys/fs/bpf); run it as root or with sudo\n", r.err());
        } finally {
            JavaCli.delete(copy);
        }
    }

    @Test
    void insideIpNetnsExecTheMissingBpffsIsExplained() {
        try (TestNetns ns = new TestNetns()) {
            Sh.Result r = JavaCli.run(List.of("ip", "netns", "exec", ns.name()), "status");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertEquals("xdplb: /sys/fs/bpf is not mounted inside `ip netns exec " + ns.name() + "` (it gives the"
                    + " command a private /sys): run xdplb from the host namespace with --netns " + ns.name()
                    + " instead\n", r.err());
        }
    }

    @Test
    void anUnmountedBpffsIsMountedOnAHostThatSimplyLacksIt() {
        // a private mount namespace stands in for such a host: the real host is never touched
        String java = String.join(" ", JavaCli.command(JavaCli.runtimeClassPath(), "status"));
        Sh.Result r = Sh.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "umount /sys/fs/bpf && " + java + " >/dev/null && stat -f -c %T /sys/fs/bpf"), 120);
        assertEquals(0, r.exit(), r.err());
        assertEquals("bpf_fs\n", r.out());
    }

    @Test
    void aProgramTheVerifierRefusesReportsTheVerifiersComplaint() throws Exception {
        byte[] elf = Files.readAllBytes(Path.of(System.getProperty("xdplb.repo", ".."),
                "build/test-bpf/unverifiable.bpf.o"));
        try (BpfObject obj = BpfObject.fromBytes("unverifiable", elf)) {
            BpfLoadException e = assertThrows(BpfLoadException.class, obj::load);
            assertTrue(e.getMessage().startsWith("the kernel refused to load unverifiable.bpf.o: Permission denied;"
                    + " verifier: "), e.getMessage());
            assertTrue(e.getMessage().contains("R1 offset is outside of the packet"), e.getMessage());
            assertTrue(e.log().contains("-- BEGIN PROG LOAD LOG --"), "whole verifier log kept");
        }
    }
}
