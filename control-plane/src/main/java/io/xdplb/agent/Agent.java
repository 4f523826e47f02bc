package io.xdplb.agent;

import io.xdplb.director.HealthProgram;

import io.xdplb.UserError;
import io.xdplb.health.Effective;
import io.xdplb.health.HealthState;
import io.xdplb.health.HealthView;
import io.xdplb.health.RealHealth;
import io.xdplb.libbpf.NativeException;
import io.xdplb.model.Config;
import io.xdplb.model.Director;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Plan;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.service.DirectorService;
import io.xdplb.service.Instance;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * `xdplb agent`: keeps one instance matching its configuration file, for as long as it runs.
 *
 * <ul>
 * <li>At start it applies the file (after a reboot that re-attaches the director and redoes
 *     the real-server set-ups) and rewrites every VIP's maps from it.</li>
 * <li>It then waits for the file to change (the CLI's writes and hand edits alike) or for
 *     SIGHUP, and applies the change; the CLI keeps working without it.</li>
 * <li>It health-checks the reals of every VIP that has a check, through the tunnel, and gives
 *     a failed real effective weight 0 in the maps (the file keeps the desired weight).</li>
 * <li>It prints one line per state change on stdout (for the journal).</li>
 * </ul>
 *
 * Everything that changes maps or the health file runs on the agent's one control thread
 * or under the configuration lock; the checkers only report results. Stopping the agent
 * changes nothing: the data path keeps forwarding with what it last had.
 */
public final class Agent {
    private final Instance instance;
    private final DirectorService director;
    private final PrintStream log;
    private final boolean timestamps;
    private final List<VipServedListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<String> wake = new LinkedBlockingQueue<>();
    private static final String FILE = "file", HUP = "hup", HEALTH = "health", STOP = "stop";
    /** The checkers' state changes, applied by the control thread in batches (see onTransition). */
    private final ConcurrentLinkedQueue<Transition> transitions = new ConcurrentLinkedQueue<>();

    private record Transition(HealthChecks.Target target, RealHealth health, String reason) {}
    private final HealthProgram tunnel;
    private final HealthChecks checks;

    private volatile Config applied;       // what the maps were last brought to
    private volatile HealthView health;    // what the maps and the health file say now
    private Director probesFor;            // the director the tunnel program was set up for
    private final Map<Vip, Boolean> served = new HashMap<>();
    private final Map<Vip, Boolean> failingOpen = new HashMap<>();
    private volatile boolean stopping;

    public Agent(Instance instance, PrintStream log) {
        this.instance = instance;
        this.director = instance.director();
        this.log = log;
        this.timestamps = System.getenv("JOURNAL_STREAM") == null; // the journal stamps lines itself
        this.tunnel = new HealthProgram(instance.layout());
        this.checks = new HealthChecks(tunnel, this::onTransition);
    }

    /** The extension point for route announcements: see {@link VipServedListener}. */
    public void addListener(VipServedListener l) {
        listeners.add(l);
    }

    public Instance instance() {
        return instance;
    }

    /** Health of every checked real now (for metrics). */
    public HealthView health() {
        HealthView h = health;
        return h == null ? HealthView.NONE : h;
    }

    /** The configuration last applied, or null before the first. */
    public Config applied() {
        return applied;
    }

    /** Per-checker counters and last probe durations (for metrics). */
    public Map<HealthChecks.Target, HealthChecks.Sample> probeSamples() {
        return checks.samples();
    }

    /** What the metrics need of the checkers. */
    public io.xdplb.metrics.XdplbMetrics.Probes metricsProbes() {
        return new io.xdplb.metrics.XdplbMetrics.Probes() {
            public Map<Target, Sample> samples() {
                Map<Target, Sample> out = new HashMap<>();
                checks.samples().forEach((t, s) -> out.put(new Target(t.vip(), t.real()),
                        new Sample(s.lastSeconds(), s.probes(), s.failures())));
                return out;
            }

            public Map<String, io.xdplb.maps.Counter> tunnelCounters() {
                return probeCounters();
            }
        };
    }

    /** VIPs that fail open now (every weighted real down). */
    public synchronized Set<Vip> failingOpen() {
        Set<Vip> out = new java.util.HashSet<>();
        failingOpen.forEach((v, b) -> {
            if (b) out.add(v);
        });
        return out;
    }

    /** The tunnel program's counters, by reason. */
    public Map<String, io.xdplb.maps.Counter> probeCounters() {
        return tunnel.counters(List.of("encapped", "no_target", "drop_malformed", "drop_encap_failed"));
    }

    public void log(String line) {
        String s = timestamps ? Instant.now().toString() + " " + line : line;
        synchronized (log) {
            log.println(s);
            log.flush();
        }
    }

    /** Runs until {@link #stop} (SIGTERM); throws a UserError when another agent holds the instance. */
    public void run() {
        if (lock == null) claim();
        try {
            log("agent started for instance " + instance.name() + " (pid " + ProcessHandle.current().pid()
                    + ", configuration " + instance.store().file() + ")");
            health = instance.healthFile().read(); // a restarted agent goes on from its predecessor's results
            reconcile(true);
            Thread watcher = Thread.ofPlatform().daemon().name("config-watch").start(this::watchFile);
            while (!stopping) {
                String why;
                try {
                    why = wake.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (why == null || stopping) continue;
                boolean file = why.equals(FILE) || why.equals(HUP);
                if (file) {
                    try {
                        Thread.sleep(50); // an editor's save is several events: take them as one
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                boolean full = why.equals(HUP);
                String more;
                while ((more = wake.poll()) != null) {
                    full |= more.equals(HUP);
                    file |= more.equals(FILE) || more.equals(HUP);
                }
                if (full) log("SIGHUP: re-reading " + instance.store().file());
                if (file) reconcile(full);
                applyTransitions();
            }
            watcher.interrupt();
        } finally {
            shutdown();
            lock.close();
        }
    }

    private AgentLock lock;

    /** Takes the instance (one agent per instance): a UserError naming the running agent otherwise. */
    public void claim() {
        lock = AgentLock.acquire(instance.runDir(), instance.name());
    }

    /** Asks the agent to stop; the data path is left as it is. */
    public void stop() {
        stopping = true;
        wake.add(STOP);
    }

    /** Re-reads and re-applies the configuration file, rewriting every VIP's maps (SIGHUP). */
    public void reload() {
        wake.add(HUP);
    }

    private void shutdown() {
        checks.close();
        for (VipServedListener l : listeners) {
            try {
                l.agentStopping();
            } catch (RuntimeException e) {
                log("error: listener " + l + " failed while stopping: " + e.getMessage());
            }
        }
        tunnel.close();
        log("agent stopped; the data path keeps forwarding as configured");
    }

    private void watchFile() {
        Path file = instance.store().file();
        Path dir = file.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log("error: cannot create " + dir + ": " + e.getMessage() + "; changes are applied on SIGHUP only");
            return;
        }
        try (WatchService ws = FileSystems.getDefault().newWatchService()) {
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            while (!stopping) {
                WatchKey key = ws.take();
                boolean ours = false;
                for (var ev : key.pollEvents()) {
                    Object ctx = ev.context();
                    if (ev.kind() == StandardWatchEventKinds.OVERFLOW || (ctx instanceof Path p && p.equals(file.getFileName()))) {
                        ours = true;
                    }
                }
                key.reset();
                if (ours) wake.add(FILE);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // stopping
        } catch (IOException e) {
            log("error: cannot watch " + dir + ": " + e.getMessage() + "; changes are applied on SIGHUP only");
        }
    }

    /** Brings the instance to the file; full also rewrites every VIP's maps whatever they held. */
    private synchronized void reconcile(boolean full) {
        Config file;
        try {
            file = instance.store().load();
        } catch (UserError e) {
            log("error: " + e.getMessage() + " (keeping the configuration applied before)");
            return;
        }
        try {
            Plan restored = director.restore(); // director and real-server set-ups, compared with what exists
            if (!restored.isEmpty()) log("applied: " + String.join("; ", restored.lines()));
            Config before = applied;
            // what the maps were brought to, read inside the transaction: newer than `file` if
            // another change landed meanwhile, and what the log must describe
            file = before != null && !full ? director.syncMaps(before) : director.resyncMaps();
            if (before != null) {
                List<String> changed = new java.util.ArrayList<>(Plan.between(before, file).lines());
                changed.removeAll(restored.lines());
                if (!changed.isEmpty()) log("configuration changed: " + String.join("; ", changed));
            }
            applied = file;
            setUpProbes(file);
            Set<HealthChecks.Target> checked = checks.update(file.vips(), health());
            pruneHealth(checked);
            if (before == null) log("configuration applied: " + file.vips().size() + " VIPs, director "
                    + (file.director() == null ? "not attached" : "on " + file.director().where()));
            announce();
        } catch (UserError | NativeException e) {
            log("error: " + e.getMessage());
        } catch (RuntimeException e) {
            log("error: " + e);
        }
    }

    /** The tunnel program and the probe sockets follow the director (attached, moved, detached). */
    private void setUpProbes(Config c) {
        Director d = director.isAttached() ? c.director() : null;
        boolean anyCheck = c.vips().stream().anyMatch(v -> v.check().enabled());
        if (d == null || !anyCheck) {
            probesFor = null;
            return;
        }
        if (!d.equals(probesFor) || !tunnel.loaded()) {
            ReversePath.allowVipReplies(d, this::log);
            checks.useNetns(d.netns());
        }
        tunnel.ensure(d); // cheap when nothing changed; refreshes the tunnel settings
        probesFor = d;
    }

    /** Forgets the health of reals that are no longer checked. */
    private void pruneHealth(Set<HealthChecks.Target> checked) {
        HealthView h = health();
        Map<Vip, Map<InetAddress, RealHealth>> kept = new HashMap<>();
        boolean changed = false;
        for (var e : h.vips().entrySet()) {
            for (var r : e.getValue().entrySet()) {
                if (checked.contains(new HealthChecks.Target(e.getKey(), r.getKey()))) {
                    kept.computeIfAbsent(e.getKey(), k -> new HashMap<>()).put(r.getKey(), r.getValue());
                } else {
                    changed = true;
                }
            }
        }
        if (changed || h.updated() == null) publish(new HealthView(kept, Instant.now()));
    }

    /**
     * A checker's real changed state. The checker only queues it and goes on probing; the
     * control thread applies whatever has queued up at once (applyTransitions), so a thousand
     * reals coming up together cost one map update and one health-file write, not a thousand
     * in a row while the checkers wait.
     */
    private void onTransition(HealthChecks.Target t, RealHealth h, String reason) {
        if (stopping) return;
        transitions.add(new Transition(t, h, reason));
        wake.add(HEALTH);
    }

    /** Maps and health file follow the queued state changes; then one log line each. */
    private synchronized void applyTransitions() {
        if (transitions.isEmpty() || stopping) return;
        HealthView now = health();
        Map<Vip, Map<InetAddress, RealHealth>> next = new HashMap<>();
        now.vips().forEach((v, m) -> next.put(v, new HashMap<>(m)));
        List<String> lines = new java.util.ArrayList<>();
        Transition t;
        while ((t = transitions.poll()) != null) {
            if (!checks.isChecked(t.target())) continue; // its checker was stopped meanwhile
            next.computeIfAbsent(t.target().vip(), k -> new HashMap<>()).put(t.target().real(), t.health());
            lines.add("real " + IpAddresses.format(t.target().real()) + " of VIP " + t.target().vip() + " is "
                    + t.health().state().label() + ": " + t.reason());
        }
        if (lines.isEmpty()) return;
        publish(new HealthView(next, Instant.now()));
        for (String line : lines) log(line); // after the maps changed: "no new flows" is then true
        announce();
    }

    private void publish(HealthView next) {
        try {
            director.publishHealth(health(), next);
            health = next;
        } catch (UserError | NativeException e) {
            log("error: cannot apply health results: " + e.getMessage());
        }
    }

    /** Fail-open warnings and the listeners' served/withdrawn calls, for what changed. */
    private void announce() {
        Config c = applied;
        if (c == null) return;
        boolean attached = director.isAttached();
        HealthView h = health();
        Map<Vip, Boolean> now = new LinkedHashMap<>();
        for (VipConfig v : c.vips()) {
            boolean open = Effective.failOpen(v, h);
            if (!Boolean.valueOf(open).equals(failingOpen.getOrDefault(v.vip(), false))) {
                log(open ? "VIP " + v.vip() + ": every real is down; failing open (all reals keep their weights)"
                        : "VIP " + v.vip() + ": no longer failing open");
            }
            failingOpen.put(v.vip(), open);
            int up = (int) v.reals().stream().filter(r -> r.weight() > 0 && !h.isDown(v.vip(), r.address())).count();
            now.put(v.vip(), io.xdplb.bgp.Announcer.served(v, attached, up));
        }
        failingOpen.keySet().retainAll(now.keySet());
        for (Vip gone : Set.copyOf(served.keySet())) if (!now.containsKey(gone)) now.put(gone, false);
        now.forEach((vip, s) -> {
            Boolean was = served.get(vip);
            if (was != null && was == s) return;
            for (VipServedListener l : listeners) {
                try {
                    l.vipServed(vip, s);
                } catch (RuntimeException e) {
                    log("error: listener " + l + " failed for VIP " + vip + ": " + e.getMessage());
                }
            }
        });
        served.clear();
        now.forEach((vip, s) -> {
            if (s || c.vip(vip).isPresent()) served.put(vip, s);
        });
    }
}
