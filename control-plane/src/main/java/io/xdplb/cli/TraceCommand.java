package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.maps.Addresses;
import io.xdplb.model.Config;
import io.xdplb.model.Vip;
import io.xdplb.service.trace.FrameInput;
import io.xdplb.service.trace.Frames;
import io.xdplb.service.trace.Trace;
import io.xdplb.service.trace.Tracer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Which real gets this packet, and why: runs the director's own program on one packet against the"
                + " live configuration (a private copy of the connection table and counters; nothing live changes).",
                "Describe the packet with --src and --dst (and --syn, --vlan), or give a frame with --frame HEX or --pcap FILE."},
        footer = {"", "Examples:",
                "  xdplb trace --src 198.51.100.2:40000 --dst 203.0.113.10:80/tcp --syn",
                "  xdplb trace --src [2001:db8:c::2]:40000 --dst [2001:db8:f::10]:80/tcp --json",
                "  xdplb trace --pcap capture.pcap --packet 3 --hex"})
final class TraceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--src", paramLabel = "ADDR:PORT", description = "Client address and port, e.g. 198.51.100.2:40000 or [2001:db8::2]:40000.")
    String src;

    @Option(names = "--dst", paramLabel = "ADDR:PORT/PROTO", description = "Destination, as a VIP is written: 203.0.113.10:80/tcp.")
    String dst;

    @Option(names = "--syn", description = "A TCP SYN (a new connection). Default: a segment of an established one (ACK).")
    boolean syn;

    @Option(names = "--vlan", paramLabel = "ID", description = "Tag the frame with this 802.1Q VLAN id (1-4094).")
    Integer vlan;

    @Option(names = "--frame", paramLabel = "HEX", description = "The whole frame, from the Ethernet header on, as hex.")
    String frameHex;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Take the frame from this pcap file (Ethernet, classic format).")
    Path pcap;

    @Option(names = "--packet", paramLabel = "N", defaultValue = "1", description = "With --pcap: which packet (from 1). Default: ${DEFAULT-VALUE}.")
    int packet;

    @Option(names = "--hex", description = "Also print the input and output frames as hex.")
    boolean hex;

    @Option(names = {"-j", "--json"}, description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        int given = (src != null || dst != null ? 1 : 0) + (frameHex != null ? 1 : 0) + (pcap != null ? 1 : 0);
        if (given != 1) throw new UserError("give the packet one way: --src and --dst, or --frame HEX, or --pcap FILE");
        Frames.Spec packetSpec = null;
        byte[] frame = null;
        if (frameHex != null) frame = FrameInput.fromHex(frameHex);
        if (src != null || dst != null) packetSpec = spec();
        if ((syn || vlan != null) && packetSpec == null) throw new UserError("--syn and --vlan describe a packet given with --src/--dst");
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb trace");
        if (pcap != null) frame = FrameInput.fromPcap(pcap, packet);
        if (packetSpec != null) {
            Config config = instance.store().load();
            if (config.director() == null) {
                throw new UserError("instance " + instance.layout().instance() + " has no director: `xdplb attach --iface IF` first");
            }
            frame = Tracer.frameFor(instance.layout(), config.director(), packetSpec);
        }
        Trace t = Tracer.run(instance.layout(), frame);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(t));
        } else {
            print(out, t);
        }
        return 0;
    }

    private Frames.Spec spec() {
        if (src == null || dst == null) throw new UserError("give both --src ADDR:PORT and --dst ADDR:PORT/PROTO");
        Vip to = Vip.parse(dst);
        Vip from;
        try {
            from = Vip.parse(src + "/" + to.proto().name().toLowerCase());
        } catch (UserError e) {
            throw new UserError("bad --src \"" + src + "\": expected ADDR:PORT, e.g. 198.51.100.2:40000 or [2001:db8::2]:40000");
        }
        if ((from.address() instanceof Inet4Address) != (to.address() instanceof Inet4Address)) {
            throw new UserError("--src " + src + " and --dst " + dst + " are of different address families");
        }
        if (vlan != null && (vlan < 1 || vlan > 4094)) throw new UserError("bad --vlan " + vlan + ": 1 to 4094");
        if (syn && to.proto() != io.xdplb.model.Proto.TCP) throw new UserError("--syn is for TCP; " + dst + " is UDP");
        return new Frames.Spec(from.address(), from.port(), to.address(), to.port(),
                to.proto().number(), syn, vlan == null ? 0 : vlan);
    }

    private void print(PrintWriter out, Trace t) {
        Trace.Packet p = t.packet();
        String flow = p.src() == null ? "not IP" : p.sport() == null ? p.src() + " -> " + p.dst() + " " + p.proto()
                : hostPort(p.src(), p.sport()) + " -> " + hostPort(p.dst(), p.dport()) + " " + p.proto()
                + (p.tcpFlags() == null ? "" : " " + p.tcpFlags());
        row(out, "packet", flow + " (" + (p.family() == null ? "?" : p.family()) + (p.vlan() == null ? "" : ", vlan " + p.vlan())
                + ", " + p.length() + " bytes)");
        Trace.VipMatch v = t.vip();
        if (v.vip() == null) {
            row(out, "vip", "none: " + v.why());
        } else {
            row(out, "vip", v.vip() + " (" + v.match() + " match, id " + v.vipId() + ", encap " + v.encap()
                    + (v.flags().isEmpty() ? "" : ", flags " + String.join(",", v.flags())) + ")");
        }
        if (t.conn() != null) {
            Trace.ConnLookup c = t.conn();
            String e = c.entry() == null ? "" : " (entry: real " + c.entry().get("real") + ", id " + c.entry().get("realId")
                    + ", vip id " + c.entry().get("vipId") + ")";
            row(out, "conn table", c.result() + (c.why() == null ? "" : ": " + c.why()) + e);
        }
        if (t.ring() != null) {
            Trace.RingChoice r = t.ring();
            row(out, "ring", "hash " + r.hash() + " of " + r.hashedOn() + " -> position " + r.position() + " of " + r.ringSize()
                    + " in live ring " + r.liveRing() + " (ring map index " + r.index() + ") -> real id " + r.realId());
        }
        if (t.real() != null) row(out, "real", t.real().address() + " (id " + t.real().id() + ", from the " + t.real().from() + ")");
        row(out, "verdict", t.verdict() + " (counted: " + String.join(", ", t.counted()) + ")");
        if (t.writes() != null) row(out, "writes", "conn table: real " + t.writes().realId() + " for this flow; " + t.writes().note());
        if (t.output() != null) {
            Trace.Output o = t.output();
            row(out, "output", o.length() + " bytes, " + o.egress());
            for (Frames.Layer l : o.layers()) {
                out.println("  " + pad(l.name(), 12) + l.fields().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")));
            }
            if (o.innerUnchanged() != null) {
                row(out, "inner", o.innerUnchanged() ? "the client's packet, unchanged" : "CHANGED: differs from the packet that came in");
            }
            row(out, "problems", o.problems().isEmpty() ? "none (every length and checksum checked)" : String.join("; ", o.problems()));
        }
        if (hex) {
            row(out, "input hex", t.inputHex());
            if (t.output() != null) row(out, "output hex", t.output().hex());
        }
    }

    private static String hostPort(String addr, int port) {
        InetAddress a = Addresses.parseLiteral(addr);
        return (a instanceof Inet4Address ? addr : "[" + addr + "]") + ":" + port;
    }

    private static void row(PrintWriter out, String label, String text) {
        out.println(pad(label, 12) + text);
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s + " " : s + " ".repeat(n - s.length());
    }
}
