package io.xdplb.realserver;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.files.PrivateFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record of one `realserver setup` (one interface of one namespace), so that `teardown`
 * undoes exactly that: the VIPs it bound on lo (not those that were already there), the sysctl
 * values it found, the tunnel addresses it put in decap_addrs.
 *
 * <p>It is written <em>before</em> anything is changed (phase {@code setting-up}: the intent,
 * holding the values found), and again when the set-up is complete ({@code set-up}, with the
 * link id). So a set-up killed half-way leaves a record that teardown, or the next setup, uses
 * to restore what was found, and a re-run never takes its own changed values for the originals.
 *
 * <p>It also says what it describes: the inode and cookie of the network namespace and the
 * interface's ifindex at set-up time. A namespace deleted (or deleted and created again under the same name)
 * or an interface re-created makes the record stale ({@link RealServerHealth}).
 *
 * <p>Kept under the run directory (/run/xdplb, gone after a reboot like the pins), one private
 * file (0600, in 0700 directories) per interface and namespace.
 */
public record RealServerState(String iface, String netns, long netnsInode, long netnsCookie, int ifindex, String mode, String phase,
                              List<String> vips, List<String> addedToLo, List<String> tunnelAddresses, int guePort,
                              Map<String, String> savedSysctls, int linkId) {
    public static final String SETTING_UP = "setting-up";
    public static final String SET_UP = "set-up";
    static final String RUN_DIR_ENV = "XDPLB_RUN_DIR";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public RealServerState {
        vips = vips == null ? List.of() : List.copyOf(vips);
        addedToLo = addedToLo == null ? List.of() : List.copyOf(addedToLo);
        tunnelAddresses = tunnelAddresses == null ? List.of() : List.copyOf(tunnelAddresses);
        savedSysctls = savedSysctls == null ? new LinkedHashMap<>() : new LinkedHashMap<>(savedSysctls);
        if (phase == null) phase = SET_UP; // records of an xdplb before phases were complete when written
        if (mode == null) mode = "native";
    }

    /** The same set-up, complete, attached by link linkId. */
    RealServerState completed(int newLinkId) {
        return new RealServerState(iface, netns, netnsInode, netnsCookie, ifindex, mode, SET_UP, vips, addedToLo, tunnelAddresses,
                guePort, savedSysctls, newLinkId);
    }

    /** /run/xdplb, or $XDPLB_RUN_DIR (the system property xdplb.runDir overrides it; the tests use it). */
    public static Path root() {
        String dir = System.getProperty("xdplb.runDir", System.getenv(RUN_DIR_ENV));
        return Path.of(dir == null || dir.isEmpty() ? "/run/xdplb" : dir);
    }

    public static Path dir(String instance) {
        return root().resolve(instance).resolve("realservers");
    }

    static Path file(String instance, Target t) {
        return dir(instance).resolve(t.key() + ".json");
    }

    public Target target() {
        return new Target(iface, netns);
    }

    public boolean complete() {
        return SET_UP.equals(phase);
    }

    /** The record for target, or null when there is none. */
    public static RealServerState read(String instance, Target t) {
        Path f = file(instance, t);
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) return null;
        RealServerState s = parse(f);
        if (s == null) {
            throw new UserError("the real-server record " + f + " is not a record xdplb wrote"
                    + " (empty, damaged or not a regular file); remove it, then check the interface by hand");
        }
        return s;
    }

    /** The record in f, or null when f is not one (not a regular file, empty, not our JSON). */
    private static RealServerState parse(Path f) {
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) return null;
        try {
            byte[] b = Files.readAllBytes(f);
            RealServerState s = JSON.readValue(b, RealServerState.class);
            return s == null || s.iface() == null ? null : s;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Writes the record (temp file, rename). Called with the instance's configuration lock held, so a
     * temp file already there is a killed writer's: removed first.
     */
    void write(String instance) {
        Path f = file(instance, target());
        PrivateFiles.ensureDirs(root(), f.getParent());
        PrivateFiles.removeTempFiles(f.getParent());
        try {
            PrivateFiles.writeAtomically(f, JSON.writeValueAsBytes(this));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void delete(String instance) {
        try {
            Files.deleteIfExists(file(instance, target()));
        } catch (IOException e) {
            throw new UserError("cannot remove " + file(instance, target()) + ": " + e.getMessage());
        }
        PrivateFiles.removeTempFiles(dir(instance));
        for (Path d : List.of(dir(instance), dir(instance).getParent(), root())) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                return; // a directory still holds other set-ups: fine
            }
        }
    }

    /** Every record of the instance, in target order. Files that are not records (temp files, damage) are skipped. */
    public static List<RealServerState> all(String instance) {
        List<RealServerState> out = new ArrayList<>();
        for (Path p : recordFiles(instance)) {
            RealServerState s = parse(p);
            if (s != null) out.add(s);
        }
        out.sort((a, b) -> a.target().toString().compareTo(b.target().toString()));
        return out;
    }

    /** Files in the instance's record directory that look like records but cannot be read as one. */
    public static List<Path> unreadable(String instance) {
        List<Path> out = new ArrayList<>();
        for (Path p : recordFiles(instance)) if (parse(p) == null) out.add(p);
        return out;
    }

    private static List<Path> recordFiles(String instance) {
        List<Path> out = new ArrayList<>();
        Path d = dir(instance);
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.json")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".")) out.add(p); // temp files are never records
            }
        } catch (IOException e) {
            throw new UserError("cannot list " + d + ": " + e.getMessage());
        }
        out.sort(null);
        return out;
    }

    /** The instances that have real-server records. */
    public static List<String> instances() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root(), LinkOption.NOFOLLOW_LINKS)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root())) {
            for (Path p : ds) {
                if (Files.isDirectory(p.resolve("realservers"), LinkOption.NOFOLLOW_LINKS)) out.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UserError("cannot list " + root() + ": " + e.getMessage());
        }
        out.sort(null);
        return out;
    }
}
