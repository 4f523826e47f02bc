package io.xdplb.agent;

import io.xdplb.bgp.Announcer;
import io.xdplb.model.Config;
import io.xdplb.model.Vip;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent's BGP announcements (docs/operator-guide.md, several directors): told each VIP's
 * served state, it keeps the instance's speaker ({@link Announcer}) announcing exactly the served
 * VIPs' addresses, on a thread of its own so that a slow speaker never holds up health updates.
 * It also looks again every few seconds, so that a change of the bgp section alone (peers, hold
 * time) reaches the speaker. On the agent's stop it withdraws everything and stops the speaker.
 */
public final class BgpAnnouncements implements VipServedListener {
    private static final long RECHECK_MS = 2000;

    private final Agent agent;
    private final Announcer announcer;
    private final Map<Vip, Boolean> served = new HashMap<>();
    private final Object lock = new Object();
    private boolean dirty = true;
    private boolean stopping;
    private final Thread worker;

    /** The listener to register with {@link Agent#addListener} before {@link Agent#run}. */
    public static BgpAnnouncements of(Agent agent) {
        return new BgpAnnouncements(agent);
    }

    private BgpAnnouncements(Agent agent) {
        this.agent = agent;
        this.announcer = new Announcer(agent.instance().name(), agent.instance().runDir());
        this.worker = Thread.ofPlatform().daemon().name("bgp").start(this::loop);
    }

    @Override
    public void vipServed(Vip vip, boolean isServed) {
        synchronized (lock) {
            served.put(vip, isServed);
            dirty = true;
            lock.notifyAll();
        }
    }

    @Override
    public void agentStopping() {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
        }
        try {
            worker.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            announcer.close();
            agent.log("BGP: every route withdrawn, speaker stopped");
        } catch (RuntimeException e) {
            agent.log("error: BGP: cannot stop the speaker: " + e.getMessage());
        }
    }

    private void loop() {
        String lastError = null;
        while (true) {
            Map<Vip, Boolean> now;
            synchronized (lock) {
                if (!dirty && !stopping) {
                    try {
                        lock.wait(RECHECK_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) return;
                dirty = false;
                now = Map.copyOf(served);
            }
            Config c = agent.applied();
            if (c == null) continue;
            try {
                String before = describe(c, now);
                announcer.update(c, now);
                if (!before.equals(lastAnnounced)) {
                    agent.log("BGP: " + before);
                    lastAnnounced = before;
                }
                lastError = null;
            } catch (RuntimeException e) {
                if (!e.getMessage().equals(lastError)) agent.log("error: BGP: " + e.getMessage());
                lastError = e.getMessage();
            }
        }
    }

    private String lastAnnounced;

    /** One log line: what is announced now. */
    private static String describe(Config c, Map<Vip, Boolean> served) {
        if (c.bgp() == null) return "no bgp section: nothing announced";
        if (c.director() == null) return "not attached: nothing announced";
        var routes = Announcer.routes(c, served).stream().map(io.xdplb.model.IpAddresses::format).sorted().toList();
        return routes.isEmpty() ? "nothing served: every route withdrawn" : "announcing " + String.join(", ", routes);
    }
}
