package io.xdplb.cli;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.xdplb.UserError;
import io.xdplb.agent.Agent;
import io.xdplb.metrics.XdplbMetrics;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
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
                + " change on stdout; Prometheus metrics on --metrics. SIGTERM stops it and leaves the data path forwarding. One agent per"
                + " instance: a second one is refused."},
        footer = {"", "Examples:", "  xdplb agent                        # instance default",
                "  xdplb --instance edge agent --metrics 127.0.0.1:9591",
                "  curl -s http://127.0.0.1:9590/metrics | grep xdplb_real_health",
                "  systemctl enable --now xdplb-agent@default",
                "  systemctl reload xdplb-agent@default   # SIGHUP: re-read and rewrite every VIP"})
final class AgentCommand implements Runnable {
    static final String DEFAULT_METRICS = "127.0.0.1:9590";

    @Spec CommandSpec spec;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT|off", defaultValue = DEFAULT_METRICS,
            description = "Where to serve Prometheus metrics (GET /metrics); off: nowhere. Default: ${DEFAULT-VALUE}"
                    + " (loopback only: scrape it locally, or give an address of a management network).")
    String metrics;

    @Override
    public void run() {
        InetSocketAddress listen = metrics.equals("off") ? null : listenAddress(metrics);
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb agent");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        Agent agent = new Agent(instance.service(), out);
        agent.addListener(io.xdplb.agent.BgpAnnouncements.of(agent));
        agent.claim(); // before anything listens: a second agent is refused, not left half-started
        HTTPServer server = null;
        if (listen != null) {
            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(new XdplbMetrics(instance.service(), agent.metricsProbes(), Version.number(), agent::health));
            try {
                server = HTTPServer.builder().inetAddress(listen.getAddress()).port(listen.getPort()).registry(registry)
                        .buildAndStart();
                agent.log("metrics on http://" + metrics + "/metrics");
            } catch (IOException e) {
                String why = "cannot serve metrics on " + metrics + ": " + e.getMessage();
                // the default port is shared by every instance of the host: the second one runs without metrics
                if (!metrics.equals(DEFAULT_METRICS)) {
                    throw new UserError(why + " (another process on that port? give --metrics ADDR:PORT or --metrics off)");
                }
                agent.log("error: " + why + "; running without metrics (give this instance --metrics ADDR:PORT)");
            }
        }
        try {
            runUntilSignalled(agent);
        } finally {
            if (server != null) server.close();
        }
    }

    /** ADDR:PORT, [ADDR6]:PORT; a UserError naming the option otherwise. */
    static InetSocketAddress listenAddress(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        String bad = "bad --metrics \"" + text + "\": expected ADDR:PORT (e.g. " + DEFAULT_METRICS + " or [::1]:9590) or off";
        if (colon < 0 || port < 1 || port > 65535) throw new UserError(bad);
        try {
            return new InetSocketAddress(java.net.InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new UserError(bad);
        }
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
