package io.xdplb.agent;

import io.xdplb.model.Vip;

/**
 * The agent's extension point for route announcements (BGP, issue 11): told whether this
 * director serves each VIP. A VIP is served when the director is attached and at least
 * minHealthy (default 1) of its reals with weight above 0 are not down (a VIP without a health
 * check counts its reals as up): {@link io.xdplb.bgp.Announcer#served}. Register with {@link Agent#addListener} before {@link Agent#run}.
 *
 * <p>Called from the agent's one control thread, in order, once for every VIP after the start's
 * reconcile and then on every change (a VIP removed from the file: served = false). Keep the
 * work short or hand it to a thread of your own: health updates wait while it runs.
 */
public interface VipServedListener {
    void vipServed(Vip vip, boolean served);

    /** The agent is stopping (SIGTERM or an error); the data path keeps forwarding. */
    default void agentStopping() {}
}
