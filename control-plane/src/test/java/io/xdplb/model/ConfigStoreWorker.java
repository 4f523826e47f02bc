package io.xdplb.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A separate process for {@link ConfigStoreTest}: waits for a "go" file, then adds
 * {@code count} VIPs 192.0.2.{tag}:{1..count}/tcp, one update each.
 * Arguments: config file, go file, tag, count.
 */
public final class ConfigStoreWorker {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]), go = Path.of(args[1]);
        int tag = Integer.parseInt(args[2]), count = Integer.parseInt(args[3]);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no go file");
            Thread.sleep(5);
        }
        ConfigStore store = new ConfigStore(file);
        for (int port = 1; port <= count; port++) {
            Vip vip = Vip.parse("192.0.2." + tag + ":" + port + "/tcp");
            store.update(c -> ConfigStoreTest.addVip(c, vip));
        }
    }
}
