package io.xdplb.attach;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.libbpf.BpfLink;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.NativeException;
import io.xdplb.libbpf.Netns;
import io.xdplb.libbpf.Xdp;
import io.xdplb.libbpf.XdpMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * XDP attachments of one instance, each held by a pinned bpf_link so it outlives the
 * CLI process: attach, detach and list. Every step that can fail is checked before the
 * step that changes something, and a link whose pin could not be written is closed,
 * which detaches it again: an attach either fully happens or leaves nothing.
 */
public final class XdpAttachments {
    /** The state of an attachment the interface really runs; anything else is defunct. */
    public static final String ATTACHED = "attached";

    private final InstanceLayout layout;

    public XdpAttachments(InstanceLayout layout) {
        this.layout = layout;
    }

    /** One attachment as `xdplb status` shows it. */
    public record Attachment(String instance, String iface, String netns, String program, int progId,
                             int linkId, String mode, String state) {}

    /** Attaches prog to the target interface in the given mode and pins the link. */
    public void attach(BpfProgram prog, Target target, XdpMode mode) {
        Path pin = layout.link(target);
        if (Files.exists(pin)) {
            Attachment existing = describe(target);
            if (existing.state().equals(ATTACHED)) {
                throw new UserError(target + " already has xdplb's " + existing.program() + " program attached"
                        + " (instance " + layout.instance() + ", " + existing.mode() + " mode); detach it first");
            }
            deletePin(pin); // the interface it held is gone: a stale pin, not an attachment
        }
        Netns.run(target.netns(), () -> {
            int ifindex = ifindex(target);
            requireNoProgram(target, ifindex);
            try (BpfLink link = linkXdp(prog, ifindex, target, mode)) {
                layout.createDir(layout.linksDir());
                link.pin(pin);
            } // closing our descriptor leaves the pin holding the link (or, if pinning failed, detaches it)
        });
    }

    /**
     * Refuses an interface that already runs an XDP program: another xdplb instance's (named,
     * with the command that frees it) or a foreign one. Call before loading anything.
     */
    public void requireFree(Target target) {
        if (Files.exists(layout.link(target)) && describe(target).state().equals(ATTACHED)) {
            Attachment existing = describe(target);
            throw new UserError(target + " already has xdplb's " + existing.program() + " program attached"
                    + " (instance " + layout.instance() + ", " + existing.mode() + " mode); detach it first");
        }
        Netns.run(target.netns(), () -> requireNoProgram(target, ifindex(target)));
    }

    private void requireNoProgram(Target target, int ifindex) {
        Xdp.Attached current = Xdp.query(ifindex);
        if (current.mode() == null) return;
        for (String other : InstanceLayout.instances(layout.bpffsRoot())) {
            if (other.equals(layout.instance())) continue;
            InstanceLayout theirs = new InstanceLayout(layout.bpffsRoot(), other);
            if (!Files.exists(theirs.link(target))) continue;
            Attachment a = new XdpAttachments(theirs).describe(target);
            if (a.progId() == current.progId()) {
                String command = switch (a.program()) {
                    case "pass" -> "pass detach";
                    case "decap" -> "realserver teardown";
                    default -> "detach";
                };
                throw new UserError(target + " already runs xdplb instance " + other + "'s " + a.program()
                        + " program; detach it there first (xdplb --instance " + other + " " + command + " --iface "
                        + target.iface() + (target.netns() == null ? "" : " --netns " + target.netns())
                        + ") or use another interface");
            }
        }
        throw new UserError(target + " already has an XDP program (id " + current.progId() + ", "
                + current.mode().cliName() + " mode) that xdplb instance " + layout.instance()
                + " did not attach; remove it first (e.g. ip link set dev " + target.iface() + " xdp off)");
    }

    private static BpfLink linkXdp(BpfProgram prog, int ifindex, Target target, XdpMode mode) {
        try {
            return BpfLink.attachXdp(prog, ifindex, mode);
        } catch (NativeException e) {
            String why = switch (e.errno()) {
                case 95 -> target + " does not support native XDP; use --mode generic";
                case 16 -> target + " already has an XDP program attached; remove it first";
                case 22 -> "the kernel refused " + mode.cliName() + " XDP on " + target
                        + " (Invalid argument): its MTU may be too large for XDP, try --mode generic";
                default -> "attaching XDP to " + target + " failed: " + e.getMessage();
            };
            throw new UserError(why);
        }
    }

    /**
     * Detaches what this instance attached to target and removes the link pin.
     * expectedProgram (or null for any) guards against `pass detach` removing the balancer.
     * Returns the detached program's name.
     */
    public String detach(Target target, String expectedProgram, String hint) {
        Path pin = layout.link(target);
        if (!Files.exists(pin)) {
            throw new UserError("xdplb instance " + layout.instance() + " has nothing attached to " + target
                    + "; `xdplb status` lists what is attached");
        }
        String program;
        try (BpfLink link = BpfLink.pinned(pin)) {
            BpfLink.Info info = link.info();
            program = programName(info.progId());
            if (expectedProgram != null && !expectedProgram.equals(program)) {
                throw new UserError(target + " has xdplb's " + program + " program, not " + expectedProgram
                        + (hint == null ? "" : "; " + hint));
            }
            if (info.ifindex() != 0) link.detach();
        }
        deletePin(pin);
        return program;
    }

    /** Names of the programs that live links of this instance run. */
    public List<String> programsInUse() {
        List<String> out = new ArrayList<>();
        for (Target t : layout.links()) out.add(describe(t).program());
        return out;
    }

    public List<Attachment> list() {
        List<Attachment> out = new ArrayList<>();
        for (Target t : layout.links()) out.add(describe(t));
        return out;
    }

    /** What the link pinned for target holds, and whether it is still attached. */
    public Attachment describe(Target target) {
        try (BpfLink link = BpfLink.pinned(layout.link(target))) {
            BpfLink.Info info = link.info();
            String program = programName(info.progId());
            String mode = "-";
            String state;
            if (info.ifindex() == 0) {
                state = "defunct: interface gone";
            } else if (!Netns.exists(target.netns())) {
                state = Netns.isContainer(target.netns()) ? "defunct: container not running" : "defunct: namespace gone";
            } else {
                Xdp.Attached a = Netns.run(target.netns(), () -> Xdp.query(info.ifindex()));
                mode = a.mode() == null ? "-" : a.mode().cliName();
                state = a.progId() == info.progId() ? ATTACHED : "defunct: interface has another program";
            }
            return new Attachment(layout.instance(), target.iface(), target.netns(), program, info.progId(),
                    info.id(), mode, state);
        }
    }

    private static String programName(int progId) {
        try (BpfProgram p = BpfProgram.byId(progId)) {
            return p == null ? "?" : p.name();
        }
    }

    /** The interface's index in the current thread's namespace; a clear error when there is none. */
    public static int ifindex(Target target) {
        int ifindex = Libc.ifNameToIndex(target.iface());
        if (ifindex == 0) {
            throw new UserError("no interface " + target.iface() + " in " + Netns.describe(target.netns())
                    + (target.netns() == null ? "" : " (see `ip -n " + target.netns() + " link`)"));
        }
        return ifindex;
    }

    private static void deletePin(Path pin) {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UserError("cannot remove pin " + pin + ": " + e.getMessage());
        }
    }
}
