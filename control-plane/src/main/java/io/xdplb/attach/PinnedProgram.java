package io.xdplb.attach;

import io.xdplb.UserError;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A map-less program of an instance (pass, and the like), loaded once from the jar and
 * pinned at /sys/fs/bpf/xdplb/INSTANCE/NAME, shared by all of the instance's links.
 */
public final class PinnedProgram {
    private PinnedProgram() {}

    /** The pinned program, loading and pinning it first if needed; created says which. */
    public record Handle(BpfProgram program, boolean created) implements AutoCloseable {
        @Override
        public void close() {
            program.close();
        }
    }

    public static Handle ensure(InstanceLayout layout, String name) {
        Path pin = layout.program(name);
        if (Files.exists(pin)) return new Handle(BpfProgram.pinned(pin), false);
        try (BpfObject obj = BpfObject.fromResource(name)) {
            obj.load();
            Files.createDirectories(layout.dir());
            BpfProgram loaded = obj.program(name);
            loaded.pin(pin);
            return new Handle(BpfProgram.pinned(pin), true);
        } catch (IOException e) {
            throw new UserError("cannot create " + layout.dir() + ": " + e.getMessage());
        }
    }

    /** Unpins the program when no link of the instance runs it any more. */
    public static void removeIfUnused(InstanceLayout layout, String name, XdpAttachments attachments) {
        if (attachments.programsInUse().contains(name)) return;
        try {
            Files.deleteIfExists(layout.program(name));
        } catch (IOException e) {
            throw new UserError("cannot remove pin " + layout.program(name) + ": " + e.getMessage());
        }
        layout.removeEmptyDirs();
    }
}
