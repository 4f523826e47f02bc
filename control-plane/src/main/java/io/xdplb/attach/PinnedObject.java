package io.xdplb.attach;

import io.xdplb.UserError;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One object of an instance as pinned in the bpffs: its maps at
 * {@code INSTANCE/maps/MAP} and its program at {@code INSTANCE/NAME}. The one way every
 * object (balancer, decap, pass) is loaded, pinned, opened and unpinned.
 *
 * <p>The program is pinned last, so its pin means "every map is pinned too". A process killed
 * half-way leaves maps without the program pin; {@link #ensure} removes such leftovers before
 * it loads, so they never leak nor get mistaken for a complete object.
 */
public final class PinnedObject {
    private final InstanceLayout layout;
    private final ObjectSpec spec;

    public PinnedObject(InstanceLayout layout, ObjectSpec spec) {
        this.layout = layout;
        this.spec = spec;
    }

    public ObjectSpec spec() {
        return spec;
    }

    public Path programPin() {
        return layout.program(spec.name());
    }

    /** True when the program (and so every map) is pinned. */
    public boolean isPinned() {
        return Files.exists(programPin());
    }

    /**
     * Loads the object (setup sizes it before load, fills it after) and pins its maps and program,
     * unless it is pinned already. Returns true when this call loaded it.
     */
    public boolean ensure(ObjectSpec.Setup setup) {
        if (isPinned()) return false;
        unpin(); // leftovers of a killed load: not a usable object
        try (BpfObject obj = spec.load(setup)) {
            layout.createDir(spec.maps().isEmpty() ? layout.dir() : layout.mapsDir());
            for (String m : spec.maps()) obj.map(m).pin(layout.map(m));
            obj.program(spec.name()).pin(programPin());
            return true;
        } catch (RuntimeException e) {
            unpin();
            throw e;
        }
    }

    public boolean ensure() {
        return ensure(o -> {});
    }

    /** The pinned program (the caller closes it). */
    public BpfProgram program() {
        return BpfProgram.pinned(programPin());
    }

    /** Opens the pinned map of this object with this name (the caller closes it). */
    public BpfMap map(String name) {
        if (!spec.maps().contains(name)) throw new IllegalArgumentException(spec.name() + " pins no map " + name);
        return BpfMap.pinned(layout.map(name));
    }

    /** Removes the program and map pins (what still runs the program keeps it alive), then empty directories. */
    public void unpin() {
        try {
            Files.deleteIfExists(programPin());
            for (String m : spec.maps()) Files.deleteIfExists(layout.map(m));
        } catch (IOException e) {
            throw new UserError("cannot remove the " + spec.name() + " pins under " + layout.dir() + ": " + e.getMessage());
        }
        layout.removeEmptyDirs();
    }

    /** Unpins the object when no link of the instance runs its program any more. */
    public void unpinIfUnused(XdpAttachments attachments) {
        List<String> inUse = attachments.programsInUse();
        if (!inUse.contains(spec.name())) unpin();
    }
}
