package io.xdplb.cli;

import io.xdplb.agent.Agent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the instance's agent in the foreground (for systemd: systemd/xdplb-agent@.service)."
                + " At start it applies the configuration file, so a reboot restores the director and the"
                + " real-server set-ups; then it applies every change to the file (made by the CLI or by hand)"
                + " and re-reads it on SIGHUP; it health-checks the reals of VIPs that have a check, through"
                + " the tunnel, and takes a failed real out of the ring until it recovers. With a bgp section it runs"
                + " the instance's BGP speaker (BIRD 2) and announces each VIP's address while the VIP is served"
                + " (attached, minHealthy reals up), withdrawing it otherwise, when detached and on SIGTERM. One line per state"
                + " change on stdout. SIGTERM stops it and leaves the data path forwarding. One agent per"
                + " instance: a second one is refused."},
        footer = {"", "Examples:", "  xdplb agent                        # instance default",
                "  xdplb --instance edge agent", "  systemctl enable --now xdplb-agent@default",
                "  systemctl reload xdplb-agent@default   # SIGHUP: re-read and rewrite every VIP"})
final class AgentCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb agent");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        Agent agent = new Agent(instance.service(), out);
        agent.addListener(io.xdplb.agent.BgpAnnouncements.of(agent));
        runUntilSignalled(agent);
    }

    /** SIGHUP reloads; SIGTERM and SIGINT stop the agent, which returns from run. */
    static void runUntilSignalled(Agent agent) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            agent.stop();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "agent-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> agent.reload());
        } catch (IllegalArgumentException e) {
            agent.log("warning: cannot handle SIGHUP here (" + e.getMessage() + ")");
        }
        try {
            agent.run();
        } finally {
            done.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }
}
