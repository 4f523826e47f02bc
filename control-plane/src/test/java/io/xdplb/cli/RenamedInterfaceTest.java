package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: an interface renamed under an attachment (`ip link set va name vx`). XDP stays on the
 * interface (its ifindex), so the attachment is live on vx while its record says va. Every
 * command judges by the interface, never by the name alone: status reports it with the fix,
 * the old name (and a new interface that takes it) is not mistaken for the attached one,
 * detach works by the new name, and apply of a file naming the new name re-records it in place.
 */
@RootOnly
class RenamedInterfaceTest {
    private Lab lab;

    @BeforeEach
    void setUp() {
        lab = new Lab("t-ren-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void tearDown() {
        if (lab.ns.ip("-j", "link").out().contains("\"vx\"")) lab.xdplb("detach", "--iface", "vx", "--netns", ns());
        lab.close();
    }

    private String ns() {
        return lab.ns.name();
    }

    /** ip link set va name vx (a veth must be down to be renamed). */
    private void rename(String from, String to) {
        lab.ns.ip("link", "set", from, "down");
        lab.ns.ip("link", "set", from, "name", to);
        lab.ns.ip("link", "set", to, "up");
    }

    /** The id of the XDP program the interface runs, as ip shows it; 0 when none. */
    private int xdpProgId(String iface) {
        JsonNode link = parse(lab.ns.ip("-j", "-d", "link", "show", iface).out()).path(0);
        return link.path("xdp").path("prog").path("id").asInt(0);
    }

    private static JsonNode parse(String json) {
        try {
            return Lab.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private JsonNode balancerRow() {
        for (JsonNode a : parse(lab.xdplb("status", "--json").out()).path("attachments")) {
            if (a.path("instance").asText().equals(lab.instance) && a.path("program").asText().equals("balancer")) return a;
        }
        throw new AssertionError("no balancer link in status");
    }

    private void attachWithVip() {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        lab.ok("real", "add", "192.0.2.10:80/tcp", "198.51.100.1");
    }

    /** status says renamed (exit 3) with the fix; the old name, even taken by a new interface, is refused everywhere. */
    @Test
    void renamedIsReportedAndTheOldNameIsNotTheAttachedInterface(@TempDir Path tmp) throws Exception {
        attachWithVip();
        int prog = xdpProgId("va");
        assertTrue(prog > 0);
        rename("va", "vx");
        assertEquals(prog, xdpProgId("vx"), "XDP follows the interface");

        Cli.Result st = lab.xdplb("status");
        assertEquals(3, st.exit(), st.out());
        assertTrue(st.out().contains("renamed to vx"), st.out());
        assertTrue(st.out().contains("problem: instance " + lab.instance + ": xdplb's balancer program attached to va (netns "
                + ns() + ") (instance " + lab.instance + ") is on that interface under its new name vx (renamed); `xdplb"
                + " --instance " + lab.instance + " detach --iface vx --netns " + ns() + "` acts on it, or `ip -n " + ns()
                + " link set dev vx name va` renames it back; `xdplb --instance " + lab.instance + " apply -f FILE` with"
                + " \"iface\": \"vx\" re-records it there"), st.out());
        assertFalse(st.out().contains("is not attached there"), "one problem, not a second one about the file");
        assertEquals("vx", balancerRow().path("ifaceNow").asText());

        // still live: a change reaches the maps, without "not live"
        assertEquals("", lab.xdplb("real", "add", "192.0.2.10:80/tcp", "198.51.100.2").err());
        assertFalse(lab.ok("real", "list", "192.0.2.10:80/tcp").contains("not live"));

        // a new interface takes the old name: it is not the attached one
        lab.ns.vethPair("va", "vc");
        String config = lab.configBytes();
        String renamedProblem = "xdplb's balancer program attached to va (netns " + ns() + ") (instance " + lab.instance
                + ") is on that interface under its new name vx (renamed); `xdplb --instance " + lab.instance + " detach --iface vx"
                + " --netns " + ns() + "` acts on it, or `ip -n " + ns() + " link set dev vx name va` renames it back";

        Cli.Result detach = lab.xdplb("detach", "--iface", "va", "--netns", ns());
        assertEquals(1, detach.exit());
        assertEquals("xdplb: " + renamedProblem + "\n", detach.err());

        Cli.Result attach = lab.attach();
        assertEquals(1, attach.exit());
        assertEquals("xdplb: the balancer of instance " + lab.instance + " is already attached to vx (netns " + ns()
                + ") (attached as va, renamed since); `xdplb detach` it first, or use another --instance\n", attach.err());

        Cli.Result pass = lab.xdplb("pass", "attach", "--iface", "va", "--netns", ns());
        assertEquals(1, pass.exit());
        assertEquals("xdplb: " + renamedProblem + "\n", pass.err());

        assertEquals(prog, xdpProgId("vx"), "nothing detached from the renamed interface");
        assertEquals(0, xdpProgId("va"), "nothing attached to the new interface");
        assertEquals(config, lab.configBytes());

        // apply of the file as it is (naming va) moves the director to the interface called va now
        Path f = tmp.resolve("va.json");
        Files.writeString(f, lab.ok("export"));
        String out = lab.ok("apply", "-f", f.toString());
        assertTrue(out.startsWith("- director vx netns=" + ns() + "\n+ director va netns=" + ns() + " "), out);
        assertEquals(0, xdpProgId("vx"));
        assertTrue(xdpProgId("va") > 0);
        assertEquals(0, lab.xdplb("status").exit(), lab.xdplb("status").out());
        assertEquals(MapsView.expected(lab.configBytes()), MapsView.ofDump(lab.json("dump", "vip2tnl", "vip_addrs", "reals", "ring")));
    }

    /** apply of a file naming the new name re-records the link under it: same link, status healthy, detach by the new name. */
    @Test
    void applyWithTheNewNameReRecordsInPlace(@TempDir Path tmp) throws Exception {
        attachWithVip();
        int link = balancerRow().path("linkId").asInt();
        rename("va", "vx");
        Path f = tmp.resolve("vx.json");
        String file = lab.ok("export").replace("\"iface\": \"va\"", "\"iface\": \"vx\"");
        assertTrue(file.contains("\"vx\""), file);
        Files.writeString(f, file);

        assertEquals("~ director vx netns=" + ns() + ": recorded under its new name (was va; the interface was renamed,"
                + " the link stays)\n", lab.ok("apply", "-f", f.toString()));
        JsonNode row = balancerRow();
        assertEquals("vx", row.path("iface").asText());
        assertEquals("attached", row.path("state").asText());
        assertEquals(link, row.path("linkId").asInt(), "the same link");
        assertTrue(Files.exists(lab.pins().resolve("links/vx@" + ns())));
        assertFalse(Files.exists(lab.pins().resolve("links/va@" + ns())));
        assertEquals(0, lab.xdplb("status").exit());
        assertEquals("nothing to do\n", lab.ok("apply", "-f", f.toString()));

        assertEquals("detached balancer from vx (netns " + ns() + ")\n", lab.ok("detach", "--iface", "vx", "--netns", ns()));
        assertEquals(0, xdpProgId("vx"));
    }

    /** detach by the interface's new name, with no apply in between: found by its ifindex, record and pins removed. */
    @Test
    void detachByTheNewName() {
        attachWithVip();
        rename("va", "vx");
        assertEquals("detached balancer from vx (netns " + ns() + ") (attached as va, renamed since)\n",
                lab.ok("detach", "--iface", "vx", "--netns", ns()));
        assertEquals(0, xdpProgId("vx"));
        assertFalse(Files.exists(lab.pins()), "no pin left");
        assertTrue(lab.json("export").path("director").isNull(), "the file has no director any more");
    }

    /** doctor fails the attachments check with the commands that heal it. */
    @Test
    void doctorNamesTheRename() {
        attachWithVip();
        rename("va", "vx");
        Cli.Result r = lab.xdplb("doctor", "--json", "--interval", "0.1");
        JsonNode check = null;
        for (JsonNode c : parse(r.out()).path("checks")) if (c.path("check").asText().equals("attachments")) check = c;
        assertTrue(check != null, r.out());
        assertEquals("fail", check.path("status").asText(), check.toString());
        assertTrue(check.path("saw").asText().contains("balancer link renamed to vx"), check.toString());
        assertTrue(check.path("fix").asText().startsWith("ip -n " + ns() + " link set dev vx name va"), check.toString());
    }
}
