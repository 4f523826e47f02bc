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
    /**
     * The start of the state of an attachment still live on its interface (the same ifindex) which
     * has another name now (`ip link set NAME name OTHER`): the program runs, but the record names
     * an interface that is not it; a new interface with the old name is another one.
     */
    public static final String RENAMED = "renamed to ";

    private final InstanceLayout layout;

    public XdpAttachments(InstanceLayout layout) {
        this.layout = layout;
    }

    /**
     * One attachment as `xdplb status` shows it. iface is the name it was attached (and is recorded)
     * under; ifaceNow the name of that interface (its ifindex) now, null when it is gone.
     */
    public record Attachment(String instance, String iface, String netns, String program, int progId,
                             int linkId, String mode, String state, String ifaceNow) {
        /** The program runs on the interface it was attached to (under its name then or another one now). */
        public boolean live() {
            return state.equals(ATTACHED) || renamed();
        }

        public boolean renamed() {
            return state.startsWith(RENAMED);
        }

        /** The interface as recorded (the pin's name). */
        public Target target() {
            return new Target(iface, netns);
        }

        /** The interface it runs on, by its name now (the recorded one when it is gone). */
        public Target targetNow() {
            return ifaceNow == null ? target() : new Target(ifaceNow, netns);
        }

        /** It is live on target's interface, known there by another name than the recorded one. */
        public boolean isNowOn(Target t) {
            return renamed() && targetNow().equals(t);
        }

        /**
         * Why a command on the recorded name must not touch it, with what to do: the interface
         * this name stands for now is not the one the program runs on.
         */
        public String renamedProblem(String command) {
            Target now = targetNow();
            return "xdplb's " + program + " program attached to " + target() + " (instance " + instance
                    + ") is on that interface under its new name " + ifaceNow + " (renamed); `xdplb --instance " + instance
                    + " " + command + " --iface " + ifaceNow + (netns == null ? "" : " --netns " + netns) + "` acts on it,"
                    + " or `ip " + (netns == null ? "" : "-n " + netns + " ") + "link set dev " + now.iface() + " name " + iface
                    + "` renames it back";
        }
    }

    /** The command that removes a program of this name (for messages). */
    public static String detachCommand(String program) {
        return switch (program) {
            case "pass" -> "pass detach";
            case "decap" -> "realserver teardown";
            default -> "detach";
        };
    }

    /** Attaches prog to the target interface in the given mode and pins the link. */
    public void attach(BpfProgram prog, Target target, XdpMode mode) {
        Path pin = layout.link(target);
        if (Files.exists(pin)) {
            Attachment existing = describe(target);
            requireNotLive(existing);
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
        if (Files.exists(layout.link(target))) requireNotLive(describe(target));
        Netns.run(target.netns(), () -> requireNoProgram(target, ifindex(target)));
    }

    /**
     * Refuses to replace a record whose program still runs: on its interface (detach it first), or
     * on that interface under a new name (the name now stands for another interface, or none).
     */
    private void requireNotLive(Attachment existing) {
        if (existing.state().equals(ATTACHED)) {
            throw new UserError(existing.target() + " already has xdplb's " + existing.program() + " program attached"
                    + " (instance " + layout.instance() + ", " + existing.mode() + " mode); detach it first");
        }
        if (existing.renamed()) throw new UserError(existing.renamedProblem(detachCommand(existing.program())));
    }

    private void requireNoProgram(Target target, int ifindex) {
        Xdp.Attached current = Xdp.query(ifindex);
        if (current.mode() == null) return;
        for (String other : InstanceLayout.instances(layout.bpffsRoot())) {
            InstanceLayout theirs = new InstanceLayout(layout.bpffsRoot(), other);
            XdpAttachments them = new XdpAttachments(theirs);
            for (Target t : theirs.links()) {
                if (!java.util.Objects.equals(t.netns(), target.netns())) continue;
                Attachment a = them.describe(t);
                if (a.progId() != current.progId() || !(t.equals(target) || a.isNowOn(target))) continue;
                String command = detachCommand(a.program());
                String was = a.isNowOn(target) ? " (attached when it was named " + a.iface() + ")" : "";
                throw new UserError(target + " already runs xdplb instance " + other + "'s " + a.program()
                        + " program" + was + "; detach it there first (xdplb --instance " + other + " " + command + " --iface "
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
            Attachment moved = nowOn(target);
            if (moved != null) return detachRecorded(moved.target(), expectedProgram, hint);
            throw new UserError("xdplb instance " + layout.instance() + " has nothing attached to " + target
                    + "; `xdplb status` lists what is attached");
        }
        Attachment a = describe(target);
        if (a.renamed()) throw new UserError(a.renamedProblem(detachCommand(a.program())));
        return detachRecorded(target, expectedProgram, hint);
    }

    /** This instance's attachment live on target's interface under a name it was not attached with; null when none. */
    public Attachment nowOn(Target target) {
        for (Attachment a : list()) if (a.isNowOn(target)) return a;
        return null;
    }

    /**
     * Detaches what the record (the pin) for target holds, wherever its interface is now and
     * whatever it is called: for removing this instance's own leftovers and set-ups by their
     * record, never for an operator's interface name (see {@link #detach}).
     */
    public String detachRecorded(Target target, String expectedProgram, String hint) {
        Path pin = layout.link(target);
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

    /**
     * Re-records a renamed attachment under its interface's name now (moves its pin; the link
     * itself, and so the program on the interface, is not touched). Returns the new target.
     */
    public Target followRename(Attachment a) {
        Target now = a.targetNow();
        try {
            Files.move(layout.link(a.target()), layout.link(now), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError("cannot move pin " + layout.link(a.target()) + " to " + layout.link(now) + ": " + e.getMessage());
        }
        return now;
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

    /**
     * The first recorded attachment of program, described; null when none. Only its link is
     * looked at in its namespace: the others are told apart by their program's name alone.
     */
    public Attachment find(String program) {
        for (Target t : layout.links()) {
            String name;
            try (BpfLink link = BpfLink.pinned(layout.link(t))) {
                name = programName(link.info().progId());
            } catch (RuntimeException e) {
                continue; // an unreadable pin is no attachment of program; status reports it
            }
            if (name.equals(program)) return describe(t);
        }
        return null;
    }

    /** What the link pinned for target holds, and whether it is still attached. */
    public Attachment describe(Target target) {
        try (BpfLink link = BpfLink.pinned(layout.link(target))) {
            BpfLink.Info info = link.info();
            String program = programName(info.progId());
            String mode = "-";
            String state;
            String now = null;
            if (info.ifindex() == 0) {
                state = "defunct: interface gone";
            } else if (!Netns.exists(target.netns())) {
                state = Netns.isContainer(target.netns()) ? "defunct: container not running" : "defunct: namespace gone";
            } else {
                Xdp.Attached a = Netns.run(target.netns(), () -> Xdp.query(info.ifindex()));
                now = Netns.run(target.netns(), () -> Libc.ifIndexToName(info.ifindex()));
                mode = a.mode() == null ? "-" : a.mode().cliName();
                state = a.progId() != info.progId() ? "defunct: interface has another program"
                        : target.iface().equals(now) ? ATTACHED : RENAMED + now;
            }
            return new Attachment(layout.instance(), target.iface(), target.netns(), program, info.progId(),
                    info.id(), mode, state, now);
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
