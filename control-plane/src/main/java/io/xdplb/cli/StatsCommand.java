package io.xdplb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.UserError;
import io.xdplb.director.Stats;
import io.xdplb.maps.Counter;
import io.xdplb.service.StatsService;
import io.xdplb.service.StatsService.Rate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Packets and bytes per VIP and per real, and the data path's counters by verdict and reason"
                + " (summed over CPUs). With --watch, prints again every N seconds with rates over the interval"
                + " (packets and bytes per second); with --watch --json, one JSON object per line, each with its time."},
        footer = {"", "Examples:", "  xdplb stats", "  xdplb stats --watch 1", "  xdplb stats --json | jq '.global.drop_no_real'",
                "  xdplb stats --watch 1 --json | jq -c '{time, vips}'"})
final class StatsCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = {"-j", "--json"}, description = "Print JSON instead of tables.")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", description = "Print again every SECONDS, with rates.")
    Integer watch;

    @Option(names = "--count", paramLabel = "N", description = "With --watch: stop after N readings (default: until interrupted).")
    Integer count;

    @Option(names = "--format", paramLabel = "table|json|prometheus", defaultValue = "table",
            description = "Output format; prometheus is the text format of node_exporter's textfile collector"
                    + " (what `xdplb agent` serves on /metrics, without the agent's own probe numbers). Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public void run() {
        if (!java.util.List.of("table", "json", "prometheus").contains(format)) {
            throw new UserError("bad --format " + format + ": must be table, json or prometheus");
        }
        if (format.equals("json")) json = true;
        if (format.equals("prometheus")) {
            if (watch != null || json) throw new UserError("--format prometheus prints one reading: no --watch or --json with it");
            Instance instance = Instance.of(spec);
            XdplbCommand.requireRoot("xdplb stats");
            instance.service().stats().read(); // the clear error when nothing is attached
            var metrics = new io.xdplb.metrics.XdplbMetrics(instance.service(), null, null,
                    () -> instance.service().healthFile().read());
            var bytes = new java.io.ByteArrayOutputStream();
            try {
                io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(bytes, metrics.collect());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            spec.commandLine().getOut().print(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
            spec.commandLine().getOut().flush();
            return;
        }
        if (watch != null && watch < 1) throw new UserError("bad --watch " + watch + ": must be 1 or more seconds");
        if (count != null && count < 1) throw new UserError("bad --count " + count + ": must be 1 or more");
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb stats");
        StatsService stats = instance.service().stats();
        PrintWriter out = spec.commandLine().getOut();
        StatsService.Reading previous = null;
        int readings = 0;
        while (true) {
            StatsService.Reading now = stats.read();
            double seconds = previous == null ? 0 : now.secondsSince(previous);
            if (json) {
                ObjectNode doc = toJson(now, previous, seconds);
                // --watch: one object per line (JSON Lines), so `jq -c` or a log shipper can follow it
                out.println(watch != null ? Json.writeLine(doc) : Json.write(doc));
            }
            else print(out, now, previous, seconds);
            out.flush();
            readings++;
            if (watch == null || (count != null && readings >= count)) return;
            previous = now;
            try {
                Thread.sleep(watch * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String rate(Counter now, Counter before, double seconds, boolean bytes) {
        Rate r = Rate.between(now, before, seconds);
        return r == null ? "-" : String.format("%.1f", bytes ? r.bytesPerSecond() : r.pps());
    }

    private static void print(PrintWriter out, StatsService.Reading now, StatsService.Reading before, double seconds) {
        boolean director = now.director() != null;
        if (director) printDirector(out, now.director(), before == null ? null : before.director(), seconds);
        Map<String, Counter> decap = now.decap();
        Map<String, Counter> decapBefore = before == null ? null : before.decap();
        if (decap != null) {
            if (director) out.println();
            Table d = new Table("DECAP COUNTER", "PACKETS", "BYTES", "PPS");
            decap.forEach((name, c) -> d.row(name, c.packets(), c.bytes(),
                    rate(c, decapBefore == null ? null : decapBefore.get(name), seconds, false)));
            d.print(out);
        }
        if (before != null) out.println("(rates over the last " + String.format("%.1f", seconds) + " s)");
    }

    private static void printDirector(PrintWriter out, Stats now, Stats before, double seconds) {
        Map<String, Counter> vipsBefore = before == null ? Map.of() : StatsService.byName(before.vips());
        Map<String, Counter> realsBefore = before == null ? Map.of() : StatsService.byName(before.reals());
        Table v = new Table("VIP", "PACKETS", "BYTES", "PPS", "BYTES/S");
        for (Stats.Row r : now.vips()) {
            v.row(r.name(), r.counter().packets(), r.counter().bytes(), rate(r.counter(), vipsBefore.get(r.name()), seconds, false),
                    rate(r.counter(), vipsBefore.get(r.name()), seconds, true));
        }
        v.print(out);
        out.println();
        Table re = new Table("REAL", "PACKETS", "BYTES", "PPS", "BYTES/S");
        for (Stats.Row r : now.reals()) {
            re.row(r.name(), r.counter().packets(), r.counter().bytes(), rate(r.counter(), realsBefore.get(r.name()), seconds, false),
                    rate(r.counter(), realsBefore.get(r.name()), seconds, true));
        }
        re.print(out);
        out.println();
        Table g = new Table("COUNTER", "PACKETS", "BYTES", "PPS");
        now.global().forEach((name, c) -> g.row(name, c.packets(), c.bytes(),
                rate(c, before == null ? null : before.global().get(name), seconds, false)));
        g.print(out);
    }

    private static ObjectNode counter(ObjectNode o, Counter c, Counter before, double seconds) {
        o.put("packets", c.packets());
        o.put("bytes", c.bytes());
        Rate r = Rate.between(c, before, seconds);
        if (r != null) {
            o.put("pps", r.pps());
            o.put("bytesPerSecond", r.bytesPerSecond());
        }
        return o;
    }

    private static ObjectNode toJson(StatsService.Reading reading, StatsService.Reading previous, double seconds) {
        ObjectNode root = Json.NODES.objectNode();
        root.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        Stats now = reading.director() != null ? reading.director() : new Stats(reading.atNanos(), List.of(), List.of(), Map.of());
        Stats before = previous == null ? null : previous.director();
        Map<String, Counter> decap = reading.decap();
        Map<String, Counter> decapBefore = previous == null ? null : previous.decap();
        Map<String, Counter> vipsBefore = before == null ? Map.of() : StatsService.byName(before.vips());
        Map<String, Counter> realsBefore = before == null ? Map.of() : StatsService.byName(before.reals());
        ArrayNode vips = root.putArray("vips");
        for (Stats.Row r : now.vips()) {
            ObjectNode o = vips.addObject();
            o.put("vip", r.name());
            o.put("id", r.id());
            counter(o, r.counter(), vipsBefore.get(r.name()), seconds);
        }
        ArrayNode reals = root.putArray("reals");
        for (Stats.Row r : now.reals()) {
            ObjectNode o = reals.addObject();
            o.put("address", r.name());
            o.put("id", r.id());
            counter(o, r.counter(), realsBefore.get(r.name()), seconds);
        }
        ObjectNode g = root.putObject("global");
        now.global().forEach((name, c) -> counter(g.putObject(name), c, before == null ? null : before.global().get(name), seconds));
        if (decap != null) {
            ObjectNode d = root.putObject("decap");
            decap.forEach((name, c) -> counter(d.putObject(name), c, decapBefore == null ? null : decapBefore.get(name), seconds));
        }
        if (previous != null) root.put("intervalSeconds", seconds);
        return root;
    }
}
