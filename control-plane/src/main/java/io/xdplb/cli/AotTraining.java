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
 * root, no /var/lib/xdplb.
 */
public final class AotTraining {
    private AotTraining() {}

    static final List<List<String>> COMMANDS = List.of(
            List.of("--help"), List.of("--version"), List.of("vip", "--help"), List.of("vip", "list"),
            List.of("vip", "list", "--json"), List.of("real", "list", "192.0.2.10:80/tcp"),
            List.of("real", "list", "192.0.2.10:80/tcp", "-j"), List.of("export"), List.of("stats", "--help"),
            List.of("vip", "ad"), List.of("--instance", "aot-empty", "vip", "list"));

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
            for (List<String> cmd : COMMANDS) {
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
