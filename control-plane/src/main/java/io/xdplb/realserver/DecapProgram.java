package io.xdplb.realserver;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.maps.AbiCheck;

import java.io.IOException;
import java.nio.file.Files;

/** bpf/decap.bpf.o: loaded once per instance, program and maps pinned, shared by its real-server set-ups. */
public final class DecapProgram {
    private DecapProgram() {}

    public static final String NAME = "decap";

    public static BpfObject load() {
        BpfObject obj = BpfObject.fromResource(NAME);
        try {
            AbiCheck.verify(NAME, obj.btf(), DecapMaps.CODECS);
            obj.load();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** True when this call loaded and pinned it (so a failed set-up knows to remove it again). */
    public static boolean ensurePinned(InstanceLayout layout) {
        if (Files.exists(layout.program(NAME))) return false;
        try (BpfObject obj = load()) {
            Files.createDirectories(layout.mapsDir());
            for (String m : DecapMaps.NAMES) obj.map(m).pin(layout.map(m));
            obj.program(NAME).pin(layout.program(NAME));
            return true;
        } catch (IOException e) {
            throw new UserError("cannot create " + layout.mapsDir() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            unpin(layout);
            throw e;
        }
    }

    public static BpfProgram pinnedProgram(InstanceLayout layout) {
        return BpfProgram.pinned(layout.program(NAME));
    }

    public static void unpin(InstanceLayout layout) {
        try {
            Files.deleteIfExists(layout.program(NAME));
            for (String m : DecapMaps.NAMES) Files.deleteIfExists(layout.map(m));
        } catch (IOException e) {
            throw new UserError("cannot remove the decap pins under " + layout.dir() + ": " + e.getMessage());
        }
        layout.removeEmptyDirs();
    }
}
