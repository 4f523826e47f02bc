package io.xdplb.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** tcpdump on one interface of a namespace, for as long as the test needs: the packets it printed. */
public final class Capture implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch listening = new CountDownLatch(1);

    public Capture(String netns, String iface, String filter) throws IOException, InterruptedException {
        process = new ProcessBuilder("ip", "netns", "exec", netns, "timeout", "60", "tcpdump", "-i", iface, "-nn", "-l",
                "-q", filter).start();
        Thread.ofPlatform().daemon().start(() -> read(new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)), false));
        Thread.ofPlatform().daemon().start(() -> read(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), true));
        if (!listening.await(10, TimeUnit.SECONDS)) throw new AssertionError("tcpdump did not start on " + iface);
    }

    private void read(BufferedReader r, boolean stderr) {
        try {
            for (String line; (line = r.readLine()) != null; ) {
                if (stderr) {
                    if (line.contains("listening on")) listening.countDown();
                } else if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Stops the capture (after a moment for the last packets) and returns what it saw. */
    public List<String> stop() throws InterruptedException {
        Thread.sleep(500);
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
