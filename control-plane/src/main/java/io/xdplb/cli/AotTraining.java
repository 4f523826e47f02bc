package io.xdplb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the AOT cache (scripts/aot-cache, scripts/package): the read-only commands
 * of a small configuration in a scratch state directory, in one JVM, so the cache holds the classes
 * they load (picocli, the model, Jackson, the help). It touches nothing of the host: no BPF, no
 * root, no /var/lib/xdplb. With --with-bpf (scripts/aot-cache gives it as root, inside a mount and
 * network namespace of its own with a bpffs of its own) it also attaches the director to lo and
 * runs the commands that read BPF (status, stats, dump, vip list with the live ring), so that the
 * libbpf and FFM set-up is in the cache too.
 */
public final class AotTraining {
    private AotTraining() {}

    static final List<List<String>> COMMANDS = List.of(
            List.of("--help"), List.of("--version"), List.of("vip", "--help"), List.of("vip", "list"),
            List.of("vip", "list", "--json"), List.of("real", "list", "192.0.2.10:80/tcp"),
            List.of("real", "list", "192.0.2.10:80/tcp", "-j"), List.of("export"), List.of("stats", "--help"),
            List.of("vip", "ad"), List.of("--instance", "aot-empty", "vip", "list"));
    static final List<List<String>> BPF_COMMANDS = List.of(
            List.of("attach", "--iface", "lo", "--mode", "generic", "--gateway-mac", "02:00:00:00:00:01", "--src4", "192.0.2.1"),
            List.of("real", "add", "192.0.2.10:80/tcp", "198.51.100.3"), List.of("vip", "list"), List.of("vip", "list", "-j"),
            List.of("status"), List.of("status", "-j"), List.of("stats"), List.of("stats", "-j"), List.of("dump"),
            List.of("detach", "--iface", "lo"));

    public static void main(String[] args) throws IOException {
        Path scratch = Files.createTempDirectory("xdplb-aot-");
        try {
            Path config = scratch.resolve("aot").resolve("config.json");
            Files.createDirectories(config.getParent());
            Files.writeString(config, """
                    {"version": 1, "vips": [{"vip": "192.0.2.10:80/tcp", "encap": "gue", "flags": ["no-sport"],
                      "reals": [{"address": "198.51.100.2", "weight": 2}, {"address": "2001:db8::2"}]}]}
                    """);
            System.setProperty("xdplb.stateDir", scratch.toString());
            PrintWriter none = new PrintWriter(Writer.nullWriter());
            List<List<String>> all = new java.util.ArrayList<>(COMMANDS);
            if (List.of(args).contains("--with-bpf")) all.addAll(BPF_COMMANDS);
            for (List<String> cmd : all) {
                String[] argv = cmd.get(0).equals("--instance") ? cmd.toArray(String[]::new)
                        : Stream.concat(Stream.of("--instance", "aot"), cmd.stream()).toArray(String[]::new);
                Main.run(argv, none, none);
            }
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}
