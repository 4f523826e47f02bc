package io.xdplb.director;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The director program passes the verifier and attaches in both XDP modes, with the default sizes. */
@RootOnly
class BalancerAttachModesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource({"native, 1", "generic, 2"})
    void attachesAndDetaches(String mode, int ipLinkMode) throws Exception {
        String instance = "t-modes-" + ProcessHandle.current().pid();
        TestNetns ns = new TestNetns().vethPair("eth0", "peer0");
        try {
            ns.ip("addr", "add", "192.0.2.10/24", "dev", "eth0");
            Cli.Result r = Cli.inInstance(instance, "attach", "--iface", "eth0", "--netns", ns.name(), "--mode", mode,
                    "--gateway-mac", "02:00:00:00:00:01");
            assertEquals(0, r.exit(), r.err());
            assertEquals("attached balancer to eth0 (netns " + ns.name() + ") (" + mode + " mode, 0 VIPs programmed)\n", r.out());
            JsonNode xdp = JSON.readTree(ns.ip("-j", "link", "show", "dev", "eth0").out()).get(0).path("xdp");
            assertEquals(ipLinkMode, xdp.path("mode").asInt(), xdp.toString());
            assertEquals("balancer", xdp.path("prog").path("name").asText());

            Cli.inInstance(instance, "detach", "--iface", "eth0", "--netns", ns.name()).ok();
            assertTrue(JSON.readTree(ns.ip("-j", "link", "show", "dev", "eth0").out()).get(0).path("xdp").isMissingNode());
            assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "detach removes every pin");
        } finally {
            ns.close();
            Cli.inInstance(instance, "detach", "--iface", "eth0", "--netns", ns.name()); // a no-op unless an assertion failed
            Cli.forgetInstance(instance);
        }
    }
}
