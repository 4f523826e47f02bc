package io.xdplb.attach;

import io.xdplb.Messages;
import io.xdplb.files.PrivateFiles;
import io.xdplb.UserError;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where an instance keeps its pins:
 * <pre>
 * /sys/fs/bpf/xdplb/INSTANCE/PROGRAM          balancer, decap, pass
 * /sys/fs/bpf/xdplb/INSTANCE/maps/MAP         every map of the balancer and decap objects
 * /sys/fs/bpf/xdplb/INSTANCE/links/IFACE@NS   one XDP bpf_link per interface and namespace
 * /sys/fs/bpf/xdplb/INSTANCE/links/IFACE      ... in the host namespace
 * /sys/fs/bpf/xdplb/INSTANCE/tc-egress/IFACE@NS the health checker's tc egress link (xdplb agent)
 * </pre>
 * '@' cannot appear in either name (we refuse it), so a link pin's name says exactly
 * which interface of which namespace it holds. A namespace given as a path (/proc/PID/ns/net)
 * is written with ':' for '/' (a pin name has no '/'): IFACE@:proc:PID:ns:net; a container's
 * as IFACE@container:NAME.
 */
public record InstanceLayout(Path bpffsRoot, String instance) {
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern IFACE = Pattern.compile("[^/@:\\s]{1,15}");
    private static final Pattern NETNS = Pattern.compile("[^/:@\\s][^/@\\s]{0,63}");
    private static final Pattern NETNS_PATH = Pattern.compile("(/[^/:@\\s]+){1,16}");
    private static final Pattern CONTAINER = Pattern.compile("container:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public InstanceLayout {
        if (!INSTANCE.matcher(instance).matches()) {
            throw new UserError("bad instance name " + Messages.quote(instance) + ": use 1-32 letters, digits, '-' or '_'");
        }
    }

    public static InstanceLayout of(String instance) {
        return new InstanceLayout(Path.of("/sys/fs/bpf/xdplb"), instance);
    }

    public Path dir() {
        return bpffsRoot.resolve(instance);
    }

    public Path program(String name) {
        return dir().resolve(name);
    }

    public Path mapsDir() {
        return dir().resolve("maps");
    }

    public Path map(String name) {
        return mapsDir().resolve(name);
    }

    public Path linksDir() {
        return dir().resolve("links");
    }

    public Path link(Target target) {
        return linksDir().resolve(target.key());
    }

    /** tc egress links (the health checker's), one per interface and namespace, named like {@link #link}. */
    public Path tcLinksDir() {
        return dir().resolve("tc-egress");
    }

    public Path tcLink(Target target) {
        return tcLinksDir().resolve(target.netns() == null ? target.iface() : target.iface() + "@" + target.netns());
    }

    /** Every link pin of this instance, as the interface it holds. */
    public List<Target> links() {
        List<Target> out = new ArrayList<>();
        if (!Files.isDirectory(linksDir())) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(linksDir())) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                int at = n.indexOf('@');
                out.add(at < 0 ? new Target(n, null) : new Target(n.substring(0, at), Target.netnsOfKey(n.substring(at + 1))));
            }
        } catch (IOException e) {
            throw new UserError("cannot list " + linksDir() + ": " + e.getMessage());
        }
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
        return out;
    }

    /** The instances that have pins. */
    public static List<String> instances(Path bpffsRoot) {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(bpffsRoot)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(bpffsRoot)) {
            for (Path p : ds) out.add(p.getFileName().toString());
        } catch (IOException e) {
            throw new UserError("cannot list " + bpffsRoot + ": " + e.getMessage());
        }
        out.sort(null);
        return out;
    }

    /**
     * Creates d (the instance's directory or one below it) and the directories above it up to
     * the pin root, each 0700 and checked to be root's own real directory: /sys/fs/bpf may be
     * world-writable, and a pin root someone else made could hold links into other maps.
     */
    public void createDir(Path d) {
        PrivateFiles.ensureDirs(bpffsRoot, d);
    }

    /** Removes the instance's directories once they are empty, then /sys/fs/bpf/xdplb itself. */
    public void removeEmptyDirs() {
        for (Path d : List.of(linksDir(), tcLinksDir(), mapsDir(), dir(), bpffsRoot)) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                return; // not empty: something still lives there
            }
        }
    }

    /** An interface in a namespace (null = the host's). */
    public record Target(String iface, String netns) {
        public Target {
            if (iface == null || !IFACE.matcher(iface).matches()) {
                throw new UserError("bad interface name " + Messages.quote(iface) + ": 1-15 characters, no '/', '@', ':' or spaces");
            }
            if (netns != null && netns.startsWith("container:") && !CONTAINER.matcher(netns).matches()) {
                throw new UserError("bad container name or id " + Messages.quote(netns.substring("container:".length()))
                        + ": letters, digits, '_', '.' or '-', as `docker ps` shows them");
            }
            if (netns != null && !NETNS.matcher(netns).matches() && !NETNS_PATH.matcher(netns).matches()
                    && !CONTAINER.matcher(netns).matches()) {
                throw new UserError("bad network namespace " + Messages.quote(netns) + ": a name under /run/netns (no '/', '@',"
                        + " spaces or leading ':'), a path such as /proc/PID/ns/net (no ':', '@' or spaces),"
                        + " or container:NAME");
            }
        }

        /** IFACE or IFACE@NETNS, with a path's '/' written as ':': the name of the link pin and the record. */
        public String key() {
            return netns == null ? iface : iface + "@" + netns.replace('/', ':');
        }

        static String netnsOfKey(String key) {
            return key.startsWith(":") ? key.replace(':', '/') : key;
        }

        @Override
        public String toString() {
            if (netns == null) return iface;
            if (netns.startsWith("container:")) return iface + " (container " + netns.substring("container:".length()) + ")";
            return iface + " (netns " + netns + ")";
        }
    }
}
