package io.xdplb.service.doctor;

import io.xdplb.attach.XdpAttachments;
import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.director.BalancerObject;
import io.xdplb.realserver.RealServerHealth;
import io.xdplb.realserver.RealServerState;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;

/** What xdplb itself left behind: links that no longer hold an interface, set-up records of interfaces that are gone. */
final class StateChecks {
    private StateChecks() {}

    static List<Check> attachments(Scene s) {
        List<Check> out = new ArrayList<>();
        for (Attachment a : s.attachments()) {
            String where = a.netns() == null ? a.iface() : a.iface() + " (netns " + a.netns() + ")";
            if (a.state().equals("attached")) continue;
            if (a.renamed()) {
                String ip = a.netns() == null ? "ip " : "ip -n " + a.netns() + " ";
                out.add(Check.fail("attachments", where, a.program() + " link " + a.state() + ": the name " + a.iface()
                        + " no longer is the interface it runs on", ip + "link set dev " + a.ifaceNow() + " name " + a.iface()
                        + "   # or: " + s.xdplb() + XdpAttachments.detachCommand(a.program()) + " --iface " + a.ifaceNow()
                        + Scene.netnsOpt(a.netns())));
                continue;
            }
            String target = " --iface " + a.iface() + Scene.netnsOpt(a.netns());
            String fix = switch (a.program()) {
                case "pass" -> s.xdplb() + "pass detach" + target;
                case "decap" -> s.xdplb() + "realserver teardown" + target;
                default -> s.xdplb() + "apply -f " + s.configFile() + "   # re-attaches it; or: " + s.xdplb() + "detach" + target;
            };
            out.add(Check.fail("attachments", where, a.program() + " link " + a.state(), fix));
        }
        if (out.isEmpty()) out.add(Check.ok("attachments", "instance " + s.instance(), s.attachments().size() + " links, all attached"));
        return out;
    }

    /**
     * Real-server records that no longer describe a set-up (status's own judgement,
     * RealServerHealth: namespace or interface gone or re-created, setup interrupted) and
     * records that cannot be read. A record whose decap is merely detached is the decap check's.
     */
    static List<Check> records(Scene s) {
        List<Check> out = new ArrayList<>();
        for (RealServerState r : s.realservers()) {
            if (!stale(s, r)) continue;
            out.add(Check.fail("records", r.target().toString(), "real-server record: "
                            + RealServerHealth.state(r, s.layout()),
                    s.xdplb() + "realserver teardown --iface " + r.iface() + Scene.netnsOpt(r.netns())));
        }
        for (Path bad : RealServerState.unreadable(s.instance())) {
            out.add(Check.fail("records", bad.toString(), "unreadable real-server record", "rm " + bad));
        }
        if (out.isEmpty()) out.add(Check.ok("records", "instance " + s.instance(), s.realservers().size() + " real-server records, all live"));
        return out;
    }

    static boolean stale(Scene s, RealServerState r) {
        String state = RealServerHealth.state(r, s.layout());
        return state.startsWith("stale") || state.startsWith("incomplete");
    }

    /** A program pinned but attached nowhere: a killed attach left it (status reports the same). */
    static List<Check> orphans(Scene s) {
        List<Check> out = new ArrayList<>();
        List<String> running = s.attachments().stream().map(Attachment::program).toList();
        if (BalancerObject.pinned(s.layout()).isPinned() && !running.contains(BalancerObject.NAME)) {
            out.add(Check.fail("attachments", "instance " + s.instance(), "the balancer program is loaded but attached"
                    + " nowhere (a killed attach?)", s.xdplb() + "apply -f " + s.configFile()));
        }
        return out;
    }
}
