package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two directors (two instances, each attached in a namespace of its own) with the same VIP and
 * reals, reached by different histories so that their real ids differ: `vip list` and `status`
 * show the same ring fingerprint on both, and a weight changed on one side shows until the
 * other follows.
 */
@RootOnly
class RingFingerprintTest {
    private static final String VIP = "203.0.113.10:80/tcp";

    @Test
    void directorsWithTheSameRingShowTheSameFingerprint() {
        long pid = ProcessHandle.current().pid();
        try (Lab a = new Lab("t-ring-a-" + pid); Lab b = new Lab("t-ring-b-" + pid)) {
            a.attach();
            b.attach();
            a.ok("vip", "add", VIP);
            for (String r : new String[] {"192.0.2.11", "192.0.2.12", "192.0.2.13"}) a.ok("real", "add", VIP, r);
            // b: another VIP takes the low real ids first, and the reals come in the other order
            b.ok("vip", "add", "203.0.113.99:53/udp");
            b.ok("real", "add", "203.0.113.99:53/udp", "192.0.2.99");
            b.ok("vip", "add", VIP);
            for (String r : new String[] {"192.0.2.13", "192.0.2.12", "192.0.2.11"}) b.ok("real", "add", VIP, r);
            assertNotEquals(realId(a, "192.0.2.11"), realId(b, "192.0.2.11"), "the two directors numbered their reals differently");

            String fa = fingerprint(a);
            assertTrue(fa.matches("[0-9a-f]{12}"), fa);
            assertEquals(fa, fingerprint(b), "same reals and weights: same ring on both directors");
            assertEquals(fa, statusFingerprint(a));

            b.ok("real", "add", VIP, "192.0.2.12", "--weight", "2");
            assertNotEquals(fa, fingerprint(b), "b's ring changed");
            assertEquals(fa, fingerprint(a), "a's did not");
            a.ok("real", "add", VIP, "192.0.2.12", "--weight", "2");
            assertEquals(fingerprint(a), fingerprint(b), "a followed: the rings agree again");

            assertTrue(a.ok("vip", "list").lines().anyMatch(l -> l.startsWith(VIP) && l.contains(fingerprint(a))),
                    "the table shows it too");
        }
    }

    @Test
    void aDetachedInstanceHasNoFingerprint() {
        try (Lab a = new Lab("t-ring-d-" + ProcessHandle.current().pid())) {
            a.ok("vip", "add", VIP);
            JsonNode v = a.json("vip", "list", "--json").get(0);
            assertTrue(v.has("ringFingerprint") && v.get("ringFingerprint").isNull(), v.toString());
            assertTrue(a.ok("vip", "list").lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(VIP) + "\\s+ipip\\s+-\\s+none\\s+-\\s+-\\s*")),
                    a.ok("vip", "list"));
        }
    }

    private static String fingerprint(Lab lab) {
        for (JsonNode v : lab.json("vip", "list", "--json")) {
            if (v.path("vip").asText().equals(VIP)) return v.path("ringFingerprint").asText();
        }
        throw new AssertionError("no " + VIP + " in vip list");
    }

    private static String statusFingerprint(Lab lab) {
        for (JsonNode v : lab.json("status", "--json").path("vips")) {
            if (v.path("instance").asText().equals(lab.instance) && v.path("vip").asText().equals(VIP)) {
                return v.path("ringFingerprint").asText();
            }
        }
        throw new AssertionError("status lists no " + VIP + " for " + lab.instance);
    }

    private static int realId(Lab lab, String address) {
        for (JsonNode r : lab.json("dump", "reals").path("reals")) {
            if (r.path("address").asText().equals(address)) return r.path("id").asInt();
        }
        throw new AssertionError("no real " + address);
    }
}
