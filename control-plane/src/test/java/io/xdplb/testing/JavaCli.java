package io.xdplb.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs the CLI in a separate JVM, for what an in-process run cannot show: another user,
 * `ip netns exec`, another mount namespace, parallel processes.
 */
public final class JavaCli {
    private JavaCli() {}

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The CLI's runtime class path: main classes and the jars they use (not the test ones). */
    public static List<String> runtimeClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.endsWith("test-classes") || e.contains("junit") || e.contains("opentest4j")
                    || e.contains("apiguardian") || e.contains("surefire")) continue;
            out.add(e);
        }
        return out;
    }

    /** prefix (e.g. ip netns exec NS) + java ... io.xdplb.cli.Main args */
    public static Sh.Result run(List<String> prefix, List<String> classPath, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command(classPath, args));
        return Sh.run(cmd, 120);
    }

    /** The command line that runs the CLI with these arguments. */
    public static List<String> command(List<String> classPath, String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-Dxdplb.stateDir=" + System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"), "-cp", String.join(java.io.File.pathSeparator, classPath),
                "io.xdplb.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Sh.Result run(List<String> prefix, String... args) {
        return run(prefix, runtimeClassPath(), args);
    }

    /**
     * A copy of the runtime class path that any user can read (the originals may sit under
     * root's home), for running the CLI as an unprivileged user. Delete it with {@link #delete}.
     */
    public static Path worldReadableCopy(List<String> classPath, List<String> copied) throws IOException {
        Path dir = Files.createTempDirectory("xdplb-cp-");
        for (int i = 0; i < classPath.size(); i++) {
            Path src = Path.of(classPath.get(i));
            Path dst = dir.resolve(i + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.toList()) {
                        Path t = dst.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) Files.createDirectories(t);
                        else Files.copy(f, t);
                    }
                }
            } else {
                Files.copy(src, dst);
            }
            copied.add(dst.toString());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    public static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }
}
