package io.xdplb.service;

import io.xdplb.UserError;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.director.StatNames;
import io.xdplb.director.Stats;
import io.xdplb.maps.Counter;
import io.xdplb.realserver.DecapMaps;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Counters of an instance's director and real-server program, and rates between two readings. */
public final class StatsService {
    private final Instance instance;
    private List<String> balancerNames;
    private List<String> decapNames;

    StatsService(Instance instance) {
        this.instance = instance;
    }

    /**
     * One reading. director is null when the balancer is not attached, decap null when no
     * real-server program is loaded.
     */
    public record Reading(long atNanos, Stats director, Map<String, Counter> decap) {
        /** Seconds from before to this reading. */
        public double secondsSince(Reading before) {
            return (atNanos - before.atNanos) / 1e9;
        }
    }

    /** Packets and bytes per second of one counter over an interval. */
    public record Rate(double pps, double bytesPerSecond) {
        /** The rate from before to now over seconds; null when there is no earlier value. */
        public static Rate between(Counter now, Counter before, double seconds) {
            if (before == null || seconds <= 0) return null;
            return new Rate((now.packets() - before.packets()) / seconds, (now.bytes() - before.bytes()) / seconds);
        }
    }

    public boolean directorLoaded() {
        return BalancerObject.pinned(instance.layout()).isPinned();
    }

    public boolean decapLoaded() {
        return DecapProgram.pinned(instance.layout()).isPinned();
    }

    /** Reads every counter; a UserError when the instance has nothing attached. */
    public Reading read() {
        boolean balancer = directorLoaded();
        boolean decap = decapLoaded();
        if (!balancer && !decap) {
            throw new UserError("instance " + instance.name() + " has nothing attached: no counters"
                    + " (`xdplb attach` or `xdplb realserver setup` first)" + instance.othersHint());
        }
        Stats director = null;
        Map<String, Counter> decapCounters = null;
        if (balancer) {
            if (balancerNames == null) balancerNames = StatNames.balancer();
            try (BalancerMaps maps = BalancerMaps.pinned(instance.layout())) {
                director = Stats.read(maps, balancerNames);
            }
        }
        if (decap) {
            if (decapNames == null) decapNames = StatNames.decap();
            try (DecapMaps maps = DecapMaps.pinned(instance.layout())) {
                decapCounters = Stats.global(maps.stats, decapNames);
            }
        }
        return new Reading(director != null ? director.atNanos() : System.nanoTime(), director, decapCounters);
    }

    /** Connection-table entries in use and its capacity (every CPU's table), or null when not attached. */
    public record TableUse(long entries, long capacity) {}

    public TableUse connTable() {
        if (!directorLoaded()) return null;
        try (BalancerMaps maps = BalancerMaps.pinned(instance.layout())) {
            return new TableUse(maps.connTable.entries().size(), (long) maps.connTable.cpus() * maps.connTable.entriesPerCpu());
        }
    }

    /** Rows by name, to find a row's earlier value. */
    public static Map<String, Counter> byName(List<Stats.Row> rows) {
        Map<String, Counter> m = new HashMap<>();
        for (Stats.Row r : rows) m.put(r.name(), r.counter());
        return m;
    }
}
