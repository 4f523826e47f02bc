package io.xdplb.metrics;

import io.xdplb.director.Stats;
import io.xdplb.health.Effective;
import io.xdplb.health.HealthState;
import io.xdplb.health.HealthView;
import io.xdplb.maps.Counter;
import io.xdplb.model.Config;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.service.Instance;
import io.xdplb.service.StatsService;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The instance's numbers as Prometheus metrics, read at each scrape: per VIP and per real
 * packets and bytes, every verdict counter by reason, decap counters, connection-table use,
 * health per real, fail-open per VIP, ring fingerprints. The agent adds what only it knows
 * (probe latency and counts, build info) through {@link Probes}. Names are xdplb_..., with the
 * unit in the name, as the Prometheus naming rules ask.
 */
public final class XdplbMetrics implements MultiCollector {
    /** What the agent knows of its checkers, for the metrics; absent in `stats --format prometheus`. */
    public interface Probes {
        /** (VIP, real) → last passed probe's duration in seconds (NaN before one), probes, failures. */
        Map<Target, Sample> samples();

        /** The tunnel program's counters by reason. */
        Map<String, Counter> tunnelCounters();

        record Target(Vip vip, InetAddress real) {}

        record Sample(double lastSeconds, long probes, long failures) {}
    }

    private final Instance instance;
    private final StatsService stats;
    private final Probes probes;
    private final String version;
    private final Supplier<HealthView> health;

    /** probes and version may be null (the CLI); health comes from the agent or the health file. */
    public XdplbMetrics(Instance instance, Probes probes, String version, Supplier<HealthView> health) {
        this.instance = instance;
        this.stats = instance.stats();
        this.probes = probes;
        this.version = version;
        this.health = health;
    }

    @Override
    public synchronized MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        StatsService.Reading r = stats.directorLoaded() || stats.decapLoaded() ? stats.read() : null;
        Stats d = r == null ? null : r.director();
        if (d != null) {
            out.add(counters("xdplb_vip_packets", null, "Packets the director forwarded per VIP", d.vips(), "vip", false));
            out.add(counters("xdplb_vip_bytes", Unit.BYTES, "Bytes the director forwarded per VIP", d.vips(), "vip", true));
            out.add(counters("xdplb_real_packets", null, "Packets the director sent to each real", d.reals(), "real", false));
            out.add(counters("xdplb_real_bytes", Unit.BYTES, "Bytes the director sent to each real", d.reals(), "real", true));
            out.add(reasons("xdplb_verdict_packets", null, "Packets of the director's XDP program by verdict reason", d.global(), false));
            out.add(reasons("xdplb_verdict_bytes", Unit.BYTES, "Bytes of the director's XDP program by verdict reason", d.global(), true));
            StatsService.TableUse ct = stats.connTable();
            if (ct != null) {
                out.add(gauge("xdplb_conn_table_entries", "Flows in the connection tables", ct.entries()));
                out.add(gauge("xdplb_conn_table_capacity_entries", "Flows the connection tables can hold", ct.capacity()));
            }
        }
        if (r != null && r.decap() != null) {
            out.add(reasons("xdplb_decap_packets", null, "Packets of the real-server decap program by reason", r.decap(), false));
            out.add(reasons("xdplb_decap_bytes", Unit.BYTES, "Bytes of the real-server decap program by reason", r.decap(), true));
        }
        health(out);
        if (d != null) {
            GaugeSnapshot.Builder ring = GaugeSnapshot.builder().name("xdplb_vip_ring_fingerprint_info")
                    .help("Fingerprint of each VIP's live Maglev ring (equal on directors that agree), as a label");
            instance.director().ringFingerprints().forEach((vip, fp) -> ring.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("vip", vip.toString(), "fingerprint", fp)).value(1).build()));
            out.add(ring.build());
        }
        if (probes != null) agentOnly(out);
        return new MetricSnapshots(out);
    }

    private void health(List<MetricSnapshot> out) {
        Config c = instance.director().config();
        HealthView h = health.get();
        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("xdplb_real_health")
                .help("Health of each checked real as a state set: 1 for its state (up, down, unchecked), 0 for the others");
        GaugeSnapshot.Builder open = GaugeSnapshot.builder().name("xdplb_vip_fail_open")
                .help("1 while every real of the VIP is down and all keep their weights (fail open)");
        GaugeSnapshot.Builder weight = GaugeSnapshot.builder().name("xdplb_real_effective_weight")
                .help("Weight each real has in the maps: the configured one, 0 while its health check fails");
        for (VipConfig v : c.vips()) {
            open.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("vip", v.vip().toString()))
                    .value(Effective.failOpen(v, h) ? 1 : 0).build());
            VipConfig eff = Effective.of(v, h);
            for (Real real : v.reals()) {
                String addr = IpAddresses.format(real.address());
                weight.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("vip", v.vip().toString(), "real", addr))
                        .value(eff.real(real.address()).map(Real::weight).orElse(real.weight())).build());
                if (!v.check().enabled()) continue;
                HealthState s = h.of(v.vip(), real.address()).state();
                for (HealthState each : HealthState.values()) {
                    state.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .labels(Labels.of("vip", v.vip().toString(), "real", addr, "state", each.label()))
                            .value(each == s ? 1 : 0).build());
                }
            }
        }
        out.add(state.build());
        out.add(open.build());
        out.add(weight.build());
    }

    private void agentOnly(List<MetricSnapshot> out) {
        GaugeSnapshot.Builder latency = GaugeSnapshot.builder().name("xdplb_health_probe_duration_seconds").unit(Unit.SECONDS)
                .help("Duration of each real's last passed health check, through the tunnel");
        CounterSnapshot.Builder total = CounterSnapshot.builder().name("xdplb_health_probes")
                .help("Health checks run per real");
        CounterSnapshot.Builder failed = CounterSnapshot.builder().name("xdplb_health_probe_failures")
                .help("Health checks that failed per real");
        probes.samples().forEach((t, s) -> {
            Labels l = Labels.of("vip", t.vip().toString(), "real", IpAddresses.format(t.real()));
            if (!Double.isNaN(s.lastSeconds())) latency.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(s.lastSeconds()).build());
            total.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(s.probes()).build());
            failed.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(s.failures()).build());
        });
        out.add(latency.build());
        out.add(total.build());
        out.add(failed.build());
        Map<String, Counter> tunnel = probes.tunnelCounters();
        if (!tunnel.isEmpty()) {
            out.add(reasons("xdplb_health_tunnel_packets", null, "Probe packets of the tc egress program by reason", tunnel, false));
        }
        out.add(InfoSnapshot.builder().name("xdplb_agent_build").help("The running agent's version")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", version,
                        "java", Runtime.version().toString())).build()).build());
    }

    private static CounterSnapshot counters(String name, Unit unit, String help, List<Stats.Row> rows, String label, boolean bytes) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        if (unit != null) b.unit(unit);
        for (Stats.Row r : rows) {
            b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of(label, r.name()))
                    .value(bytes ? r.counter().bytes() : r.counter().packets()).build());
        }
        return b.build();
    }

    private static CounterSnapshot reasons(String name, Unit unit, String help, Map<String, Counter> byReason, boolean bytes) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        if (unit != null) b.unit(unit);
        byReason.forEach((reason, c) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of("reason", reason)).value(bytes ? c.bytes() : c.packets()).build()));
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
