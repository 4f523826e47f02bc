package io.xdplb.model;

import io.xdplb.files.PrivateFiles;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigStoreTest {
    @TempDir
    Path dir;

    private static Vip vip(int tag, int port) {
        return Vip.parse("192.0.2." + tag + ":" + port + "/tcp");
    }

    /** Adds v, with room for more VIPs than the default sizes hold (these tests add up to 160). */
    static Config addVip(Config c, Vip v) {
        Config roomy = c.sizes().maxVips() >= 1024 ? c
                : c.withSizes(new Sizes(1024, c.sizes().maxReals(), c.sizes().ringSize(), c.sizes().connTableSize()));
        return roomy.withVip(VipConfig.of(v, Encap.IPIP, Set.of()));
    }

    private List<String> leftovers(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PrivateFiles.TEMP_PREFIX) || n.endsWith(".tmp")).toList();
        }
    }

    @Test
    void missingFileIsEmptyAndUpdateCreatesDirectoryFileAndLock() throws IOException {
        Path file = dir.resolve("default").resolve("config.json");
        ConfigStore store = new ConfigStore(file);
        assertEquals(Config.EMPTY, store.load());
        assertNull(store.read());
        Config written = store.update(c -> addVip(c, vip(10, 80)));
        assertEquals(written, store.load());
        assertEquals(ConfigJson.write(written), Files.readString(file));
        assertTrue(Files.exists(dir.resolve("default").resolve("config.lock")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "only root reads the configuration");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("default").resolve("config.lock"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(List.of(), leftovers(file.getParent()));
        assertEquals(file, ConfigStore.forInstance(dir, "default").file());
    }

    @Test
    void eightThreadsLoseNoUpdate() throws Exception {
        ConfigStore store = new ConfigStore(dir.resolve("config.json"));
        int threads = 8, perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tag = t + 1;
            done.add(pool.submit(() -> {
                start.await();
                for (int port = 1; port <= perThread; port++) {
                    Vip v = vip(tag, port);
                    // each thread uses its own store object, as separate commands would
                    new ConfigStore(dir.resolve("config.json")).update(c -> addVip(c, v));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        Config c = store.load();
        assertEquals(threads * perThread, c.vips().size());
        for (int t = 1; t <= threads; t++) {
            for (int port = 1; port <= perThread; port++) assertTrue(c.vip(vip(t, port)).isPresent(), vip(t, port).toString());
        }
    }

    @Test
    void processesAndThreadsTogetherLoseNoUpdate() throws Exception {
        Path file = dir.resolve("config.json"), go = dir.resolve("go");
        int processes = 3, threads = 2, each = 20;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    ConfigStoreWorker.class.getName(), file.toString(), go.toString(), "" + (100 + p), "" + each)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("worker" + p + ".log").toFile()).start());
        }
        List<Thread> local = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int tag = 200 + t;
            Thread th = Thread.ofPlatform().start(() -> {
                try {
                    while (!Files.exists(go)) Thread.sleep(5);
                    for (int port = 1; port <= each; port++) {
                        Vip v = vip(tag, port);
                        new ConfigStore(file).update(c -> addVip(c, v));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            local.add(th);
        }
        Thread.sleep(300); // let the JVMs start so that they really overlap with us
        Files.createFile(go);
        for (int p = 0; p < processes; p++) {
            Process child = children.get(p);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "worker " + p + " hangs");
            Path log = dir.resolve("worker" + p + ".log");
            assertEquals(0, child.exitValue(), () -> "worker failed: " + readQuietly(log));
        }
        for (Thread th : local) th.join(60_000);
        assertNull(failure.get());
        Config c = new ConfigStore(file).load();
        assertEquals((processes + threads) * each, c.vips().size());
        for (int p = 0; p < processes; p++) for (int port = 1; port <= each; port++) assertTrue(c.vip(vip(100 + p, port)).isPresent());
        for (int t = 0; t < threads; t++) for (int port = 1; port <= each; port++) assertTrue(c.vip(vip(200 + t, port)).isPresent());
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void failedUpdateLeavesTheFileByteForByteUnchanged() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigStore store = new ConfigStore(file);
        store.update(c -> addVip(c, vip(10, 80)));
        byte[] before = Files.readAllBytes(file);
        Object inode = Files.getAttribute(file, "unix:ino");

        UserError e = assertThrows(UserError.class, () -> store.update(c -> {
            Config next = addVip(c, vip(10, 443)); // a change was under way...
            throw new UserError("map write failed"); // ...when the side effect failed
        }));
        assertEquals("map write failed", e.getMessage());
        // A function whose result breaks a rule fails before anything is written, too.
        assertThrows(UserError.class, () -> store.update(c -> c.withReal(vip(10, 80), new Real(
                IpAddresses.parse("198.51.100.2", "x"), 70000))));

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(inode, Files.getAttribute(file, "unix:ino"));
        assertEquals(List.of(), leftovers(dir));
        // and the store still works
        assertEquals(2, store.update(c -> addVip(c, vip(10, 443))).vips().size());
    }

    @Test
    void unchangedConfigIsNotRewritten() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigStore store = new ConfigStore(file);
        store.update(c -> addVip(c, vip(10, 80)));
        Object inode = Files.getAttribute(file, "unix:ino");
        store.update(c -> c);
        assertEquals(inode, Files.getAttribute(file, "unix:ino"));
        store.update(c -> addVip(c, vip(10, 81)));
        assertFalse(inode.equals(Files.getAttribute(file, "unix:ino")), "a change is a new file renamed into place");
    }

    @Test
    void corruptFileIsReportedAndLeftAlone() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"version\": 1, \"vips\": [");
        ConfigStore store = new ConfigStore(file);
        String m = assertThrows(UserError.class, store::load).getMessage();
        assertTrue(m.startsWith("config file " + file + ": not valid JSON at line 1"), m);
        assertThrows(UserError.class, () -> store.update(c -> c));
        assertEquals("{\"version\": 1, \"vips\": [", Files.readString(file));
    }

    @Test
    void staleTempFilesOfCrashedWritersAreRemoved() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(dir.resolve(PrivateFiles.TEMP_PREFIX + "12345-config.json"), "half");
        Files.writeString(dir.resolve("unrelated.tmp"), "keep");
        new ConfigStore(file).update(c -> addVip(c, vip(10, 80)));
        assertEquals(List.of("unrelated.tmp"), leftovers(dir));
    }

    @Test
    void nestedUpdateIsABug() {
        ConfigStore store = new ConfigStore(dir.resolve("config.json"));
        assertThrows(IllegalStateException.class, () -> store.update(c -> store.update(d -> d)));
    }

    @Test
    void unwritableLocationIsAUserError() throws IOException {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "");
        ConfigStore store = new ConfigStore(blocker.resolve("config.json"));
        String m = assertThrows(UserError.class, () -> store.update(c -> c)).getMessage();
        assertTrue(m.contains(blocker + " is not a directory but a regular file"), m);
    }
}
