package io.xdplb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many long-lived HTTP/1.1 connections from the client namespace, each doing a request every
 * ~100 ms: netns-testenv/long-clients.py, asked for a report
 * whenever the test wants to know which reals answered, how often, and what ended a connection.
 */
final class LongLivedClients implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One connection as last reported. */
    record Conn(int port, List<String> reals, int answers, double last, String error) {
        boolean reset() {
            return error != null && error.toLowerCase().contains("reset");
        }
    }

    /** A report: the client's clock (seconds, monotonic) and every connection. */
    record Report(double now, List<Conn> conns) {
        Conn conn(int port) {
            return conns.stream().filter(c -> c.port() == port).findFirst().orElseThrow();
        }
    }

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;

    LongLivedClients(TestEnv env, String vip, int port, int count, double readTimeoutSeconds) throws IOException {
        String script = TestEnv.REPO.resolve("netns-testenv/long-clients.py").toString();
        process = new ProcessBuilder("ip", "netns", "exec", env.ns("client"), "/usr/bin/python3",
                script, vip, "" + port, "" + count, "0.1", "" + readTimeoutSeconds)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        String ready = out.readLine();
        if (ready == null || !JSON.readTree(ready).has("ready")) {
            close();
            throw new AssertionError("long-clients.py did not open its connections: " + ready);
        }
    }

    Report report() throws IOException {
        in.println("report");
        String line = out.readLine();
        if (line == null) throw new AssertionError("long-clients.py ended");
        JsonNode doc = JSON.readTree(line);
        List<Conn> conns = new ArrayList<>();
        for (JsonNode c : doc.path("conns")) {
            List<String> reals = new ArrayList<>();
            c.path("reals").forEach(r -> reals.add(r.asText()));
            conns.add(new Conn(c.path("port").asInt(), reals, c.path("answers").asInt(), c.path("last").asDouble(),
                    c.path("error").isNull() ? null : c.path("error").asText()));
        }
        return new Report(doc.path("now").asDouble(), conns);
    }

    /** Waits until every connection has answered n more times than in before (or failed). */
    Report awaitAnswers(Report before, int n, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (true) {
            Report r = report();
            boolean done = r.conns().stream().allMatch(c -> c.error() != null || c.answers() >= before.conn(c.port()).answers() + n);
            if (done) return r;
            if (System.nanoTime() > deadline) throw new AssertionError("not every connection answered " + n + " more times within " + seconds + " s");
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        in.println("quit");
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
