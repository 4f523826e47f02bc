package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.model.Sizes;
import io.xdplb.libbpf.BpfProgram;

import java.io.IOException;
import java.nio.file.Files;

/** The director program and its maps, pinned under an instance: load once, open many times, unpin on detach. */
public final class BalancerPins {
    private BalancerPins() {}

    public static boolean isLoaded(InstanceLayout layout) {
        return Files.exists(layout.program(BalancerObject.NAME));
    }

    /** Loads balancer.bpf.o with these sizes and pins its program and maps. */
    public static void load(InstanceLayout layout, Sizes sizes) {
        try (BpfObject obj = BalancerObject.load(sizes)) {
            Files.createDirectories(layout.mapsDir());
            for (String m : BalancerMaps.NAMES) obj.map(m).pin(layout.map(m));
            obj.program(BalancerObject.NAME).pin(layout.program(BalancerObject.NAME));
        } catch (IOException e) {
            unpin(layout);
            throw new UserError("cannot create " + layout.mapsDir() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            unpin(layout);
            throw e;
        }
    }

    public static BpfProgram program(InstanceLayout layout) {
        return BpfProgram.pinned(layout.program(BalancerObject.NAME));
    }

    /** The pinned maps; a clear error when the balancer is not attached. */
    public static BalancerMaps maps(InstanceLayout layout) {
        if (!isLoaded(layout)) {
            throw new UserError("the balancer of instance " + layout.instance() + " is not attached: run"
                    + " `xdplb attach --iface IF` first");
        }
        return BalancerMaps.pinned(layout);
    }

    public static void unpin(InstanceLayout layout) {
        try {
            Files.deleteIfExists(layout.program(BalancerObject.NAME));
            for (String m : BalancerMaps.NAMES) Files.deleteIfExists(layout.map(m));
        } catch (IOException e) {
            throw new UserError("cannot remove the balancer's pins under " + layout.dir() + ": " + e.getMessage());
        }
        layout.removeEmptyDirs();
    }
}
