package io.xdplb.service.doctor;

import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.realserver.RealServerState;

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
            String target = " --iface " + a.iface() + Scene.netnsOpt(a.netns());
            String fix = switch (a.program()) {
                case "pass" -> s.xdplb() + "pass detach" + target;
                case "decap" -> s.xdplb() + "realserver teardown" + target;
                default -> s.xdplb() + "detach" + target;
            };
            out.add(Check.fail("attachments", where, a.program() + " link " + a.state(), fix));
        }
        if (out.isEmpty()) out.add(Check.ok("attachments", "instance " + s.instance(), s.attachments().size() + " links, all attached"));
        return out;
    }

    static List<Check> records(Scene s) {
        List<Check> out = new ArrayList<>();
        for (RealServerState r : s.realservers()) {
            String problem = null;
            if (!Host.exists(r.netns())) problem = "its namespace is gone";
            else if (Host.link(r.netns(), r.iface()).isMissingNode()) problem = "its interface is gone";
            if (problem != null) {
                out.add(Check.fail("records", r.target().toString(), "stale real-server record: " + problem,
                        s.xdplb() + "realserver teardown --iface " + r.iface() + Scene.netnsOpt(r.netns())));
            }
        }
        if (out.isEmpty()) out.add(Check.ok("records", "instance " + s.instance(), s.realservers().size() + " real-server records, all live"));
        return out;
    }
}
