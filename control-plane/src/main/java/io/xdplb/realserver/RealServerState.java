package io.xdplb.realserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What `realserver setup` did on one interface, so that `teardown` undoes exactly that:
 * the VIPs it bound on lo (not those that were already there), the sysctl values it found,
 * the tunnel addresses it put in decap_addrs. Kept under /run (gone after a reboot, like
 * the pins), one file per interface and namespace.
 */
public record RealServerState(String iface, String netns, List<String> vips, List<String> addedToLo,
                              List<String> tunnelAddresses, int guePort, Map<String, String> savedSysctls) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public RealServerState {
        savedSysctls = new LinkedHashMap<>(savedSysctls);
    }

    public static Path dir(String instance) {
        return Path.of("/run/xdplb", instance, "realservers");
    }

    static Path file(String instance, Target t) {
        return dir(instance).resolve((t.netns() == null ? t.iface() : t.iface() + "@" + t.netns()) + ".json");
    }

    public Target target() {
        return new Target(iface, netns);
    }

    static RealServerState read(String instance, Target t) {
        Path f = file(instance, t);
        if (!Files.exists(f)) return null;
        try {
            return JSON.readValue(f.toFile(), RealServerState.class);
        } catch (IOException e) {
            throw new UserError("cannot read " + f + ": " + e.getMessage());
        }
    }

    /** Written to a temp file and renamed, so a reader never sees half a file. */
    void write(String instance) {
        Path f = file(instance, target());
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".tmp-", ".json");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError("cannot write " + f + ": " + e.getMessage());
        }
    }

    void delete(String instance) {
        try {
            Files.deleteIfExists(file(instance, target()));
            Files.deleteIfExists(dir(instance));
            Files.deleteIfExists(dir(instance).getParent());
            Files.deleteIfExists(dir(instance).getParent().getParent());
        } catch (IOException e) {
            // a directory still holds other set-ups: fine
        }
    }

    public static List<RealServerState> all(String instance) {
        List<RealServerState> out = new ArrayList<>();
        if (!Files.isDirectory(dir(instance))) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir(instance), "*.json")) {
            for (Path p : ds) out.add(JSON.readValue(p.toFile(), RealServerState.class));
        } catch (IOException e) {
            throw new UserError("cannot read " + dir(instance) + ": " + e.getMessage());
        }
        out.sort((a, b) -> a.target().toString().compareTo(b.target().toString()));
        return out;
    }
}
