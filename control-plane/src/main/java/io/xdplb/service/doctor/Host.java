package io.xdplb.service.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.libbpf.Netns;
import io.xdplb.net.IpCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What doctor reads from the host, with the operator's own tools (ip, ethtool, tc, nft) so
 * that every finding can be reproduced by hand. Read only: nothing here changes anything.
 * A tool that is missing or fails gives null (the check then says it could not look).
 */
final class Host {
    private Host() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs argv inside netns (null: here); stdout, or null when it failed. */
    static String run(String netns, String... argv) {
        List<String> cmd = new ArrayList<>();
        if (Netns.isName(netns)) cmd.addAll(List.of("ip", "netns", "exec", netns));
        else if (netns != null) cmd.addAll(List.of("nsenter", "--net=" + nsFile(netns)));
        cmd.addAll(List.of(argv));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static JsonNode json(String text) {
        if (text == null || text.isBlank()) return JSON.createArrayNode();
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }

    /** `ip -d link show dev IF` as JSON, or a missing node when there is no such interface. */
    static JsonNode link(String netns, String iface) {
        try {
            return IpCommand.json(netns, "-d", "link", "show", "dev", iface).path(0);
        } catch (io.xdplb.UserError e) {
            return JSON.missingNode();
        }
    }

    static boolean isVeth(JsonNode link) {
        return link.path("linkinfo").path("info_kind").asText().equals("veth");
    }

    /** An interface of a namespace (null: the host's). */
    record If(String netns, String iface) {
        @Override
        public String toString() {
            return netns == null ? iface : iface + " (netns " + netns + ")";
        }

        String ipN() {
            if (netns == null) return "ip";
            return Netns.isName(netns) ? "ip -n " + netns : exec() + "ip";
        }

        String exec() {
            if (netns == null) return "";
            return Netns.isName(netns) ? "ip netns exec " + netns + " " : "nsenter --net=" + nsFile(netns) + " ";
        }
    }

    /**
     * The other end of a veth: its namespace comes from link_netnsid, named through
     * `ip netns list-id`; null when iface is not a veth or its peer's namespace has no name.
     */
    static If vethPeer(String netns, String iface) {
        JsonNode l = link(netns, iface);
        if (!isVeth(l)) return null;
        String peerNs = netns;
        if (l.has("link_netnsid")) {
            int id = l.path("link_netnsid").asInt();
            peerNs = null;
            boolean named = false;
            String ids = netns == null ? run(null, "ip", "-j", "netns", "list-id")
                    : run(null, "ip", "-n", netns, "-j", "netns", "list-id");
            for (JsonNode n : json(ids)) {
                if (n.path("nsid").asInt(-1) == id && n.has("name")) {
                    peerNs = n.path("name").asText();
                    named = true;
                }
            }
            if (!named) return null;
        }
        int peerIndex = l.path("link_index").asInt();
        for (JsonNode p : IpCommand.json(peerNs, "link", "show")) {
            if (p.path("ifindex").asInt() == peerIndex) return new If(peerNs, p.path("ifname").asText());
        }
        return null;
    }

    /** The XDP program attached to the interface: its name, or null when none. */
    static String xdpProgram(If i) {
        JsonNode xdp = link(i.netns(), i.iface()).path("xdp");
        if (xdp.isMissingNode()) return null;
        return xdp.path("prog").path("name").asText(xdp.path("attached").path(0).path("prog").path("name").asText("?"));
    }

    /** ethtool -k: whether tx-checksumming is on (null: could not tell). */
    static Boolean txChecksumming(If i) {
        String out = run(i.netns(), "ethtool", "-k", i.iface());
        if (out == null) return null;
        for (String line : out.split("\n")) {
            if (line.startsWith("tx-checksumming:")) return line.contains(": on");
        }
        return null;
    }

    /** ethtool -S, the counters whose name mentions xdp and error. */
    static Map<String, Long> xdpErrorCounters(If i) {
        Map<String, Long> out = new LinkedHashMap<>();
        String text = run(i.netns(), "ethtool", "-S", i.iface());
        if (text == null) return out;
        for (String line : text.split("\n")) {
            String[] kv = line.strip().split(":\\s*");
            if (kv.length != 2 || !kv[0].contains("xdp") || !kv[0].contains("err")) continue;
            try {
                out.put(kv[0], Long.parseLong(kv[1].strip()));
            } catch (NumberFormatException e) {
                // not a number: not a counter
            }
        }
        return out;
    }

    /** The kernel's protocol counters of a namespace (/proc/net/snmp and netstat), e.g. "TcpInCsumErrors". */
    static Map<String, Long> nstat(String netns) {
        return Netns.run(netns, () -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String f : List.of("/proc/net/snmp", "/proc/net/netstat")) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(Path.of(f));
                } catch (IOException e) {
                    continue;
                }
                for (int i = 0; i + 1 < lines.size(); i += 2) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    String prefix = names[0].replace(":", "");
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        try {
                            out.put(prefix + names[k], Long.parseLong(values[k]));
                        } catch (NumberFormatException e) {
                            // a header or malformed line
                        }
                    }
                }
            }
            return out;
        });
    }

    /** sysctl value in a namespace, or null when it has none. */
    static String sysctl(String netns, String name) {
        return Netns.run(netns, () -> {
            try {
                return Files.readString(Path.of("/proc/sys", name)).strip();
            } catch (IOException e) {
                return null;
            }
        });
    }

    static int sysctlInt(String netns, String name, int otherwise) {
        String v = sysctl(netns, name);
        try {
            return v == null ? otherwise : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Every named network namespace (/run/netns), and null for the host's own, first. */
    static List<String> namespaces() {
        List<String> out = new ArrayList<>();
        out.add(null);
        if (!Files.isDirectory(Netns.NETNS_DIR)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Netns.NETNS_DIR)) {
            List<String> names = new ArrayList<>();
            for (Path p : ds) names.add(p.getFileName().toString());
            names.sort(null);
            out.addAll(names);
        } catch (IOException e) {
            // none readable: the host's only
        }
        return out;
    }

    static boolean exists(String netns) {
        return Netns.exists(netns);
    }

    /** The file of a namespace path or container (its current process), for nsenter --net=. */
    static String nsFile(String netns) {
        try {
            return Netns.file(netns).toString();
        } catch (io.xdplb.UserError e) {
            return netns.startsWith("/") ? netns : "/proc/PID/ns/net";
        }
    }
}
