package io.xdplb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Maglev;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.service.DirectorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

@Command(name = "real", mixinStandardHelpOptions = true,
        description = "Add, delete and list the real servers of a VIP.",
        footer = {"", "Examples:", "  xdplb real add 192.0.2.10:80/tcp 198.51.100.11 --weight 2",
                "  xdplb real list 192.0.2.10:80/tcp", "  xdplb real del 192.0.2.10:80/tcp 198.51.100.11"})
// its subcommands: XdplbCommand.GROUPS
final class RealCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a real server to a VIP, or change the weight of one it has. Weights are relative"
                    + " (Maglev slots in proportion); weight 0 drains: no new flows, existing flows keep going."},
            footer = {"", "Examples:",
                    "  xdplb real add 192.0.2.10:80/tcp 198.51.100.11",
                    "  xdplb real add 192.0.2.10:80/tcp 198.51.100.12 --weight 3",
                    "  xdplb real add 192.0.2.10:80/tcp 198.51.100.12 --weight 0     # drain"})
    static final class Add implements Runnable {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "VIP", description = "ADDR:PORT/PROTO")
        String vip;

        @Parameters(index = "1", paramLabel = "ADDR", description = "The real server's address (IPv4 or IPv6).")
        String address;

        @Option(names = "--weight", paramLabel = "N", description = "0..65535; default 1 for a new real.")
        Integer weight;

        @Override
        public void run() {
            Vip v = Vip.parse(vip);
            InetAddress a = Real.parseAddress(address);
            DirectorService.checkWeight(weight);
            Instance instance = Instance.of(spec);
            XdplbCommand.requireRoot("xdplb real add");
            var done = instance.service().director().setReal(v, a, weight);
            String addr = IpAddresses.format(a);
            spec.commandLine().getOut().println(done.added()
                    ? "added real " + addr + " to VIP " + v + " (weight " + done.real().weight() + ")"
                    : "weight of real " + addr + " in VIP " + v + ": " + done.previousWeight() + " -> " + done.real().weight());
            instance.sayIfNotLive(spec.commandLine().getOut());
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            description = "Remove a real server from a VIP; its flows move to the other reals.",
            footer = {"", "Example:", "  xdplb real del 192.0.2.10:80/tcp 198.51.100.12"})
    static final class Del implements Runnable {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "VIP", description = "ADDR:PORT/PROTO")
        String vip;

        @Parameters(index = "1", paramLabel = "ADDR", description = "The real server's address.")
        String address;

        @Override
        public void run() {
            Vip v = Vip.parse(vip);
            InetAddress a = Real.parseAddress(address);
            Instance instance = Instance.of(spec);
            XdplbCommand.requireRoot("xdplb real del");
            instance.service().director().deleteReal(v, a);
            spec.commandLine().getOut().println("deleted real " + IpAddresses.format(a) + " from VIP " + v);
            instance.sayIfNotLive(spec.commandLine().getOut());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List a VIP's real servers: weight, state (active, draining, or out because its health"
                    + " check failed) and health (up, down or unchecked, since when, last error) as `xdplb agent` found it."},
            footer = {"", "Examples:", "  xdplb real list 192.0.2.10:80/tcp",
                    "  xdplb real list 192.0.2.10:80/tcp --json | jq -r '.[] | select(.weight == 0) | .address'"})
    static final class ListReals implements Runnable {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "VIP", description = "ADDR:PORT/PROTO")
        String vip;

        @Option(names = {"-j", "--json"}, description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public void run() {
            Vip v = Vip.parse(vip);
            var director = Instance.of(spec).service().director();
            var view = director.reals(v);
            // slots as the maps hold them: from the effective weights (a real that is down has none)
            List<Real> effective = new ArrayList<>();
            for (var r : view.reals()) effective.add(new Real(r.real().address(), r.effectiveWeight()));
            Map<InetAddress, Integer> slots = slotsPerReal(view.vip().withReals(effective), director.config().sizes().ringSize());
            var out = spec.commandLine().getOut();
            if (json) {
                ArrayNode arr = Json.NODES.arrayNode();
                for (var r : view.reals()) {
                    ObjectNode o = arr.addObject();
                    o.put("address", IpAddresses.format(r.real().address()));
                    o.put("weight", r.real().weight());
                    o.put("slots", slots.get(r.real().address()));
                    o.put("effectiveWeight", r.effectiveWeight());
                    ObjectNode h = o.putObject("health");
                    h.put("state", r.health().state().label());
                    h.put("since", r.health().since() == null ? null : r.health().since().toString());
                    h.put("lastError", r.health().lastError());
                }
                out.println(Json.write(arr));
                return;
            }
            if (view.reals().isEmpty()) {
                out.println("VIP " + v + " has no reals (add one with `xdplb real add " + v + " ADDR`)");
                return;
            }
            Table t = new Table("REAL", "WEIGHT", "SLOTS", "STATE", "HEALTH", "SINCE", "LAST ERROR");
            for (var r : view.reals()) {
                var h = r.health();
                int n = slots.get(r.real().address());
                String state = r.real().weight() == 0 ? "draining" : r.effectiveWeight() == 0 ? "out (down)"
                        : n == 0 ? "no ring slots: weight too small against the others, gets no new flows" : "active";
                t.row(IpAddresses.format(r.real().address()), r.real().weight(), n, state, h.state().label(),
                        h.since() == null ? "-" : h.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                        h.lastError() == null ? "-" : h.lastError());
            }
            t.print(out);
            if (view.failOpen()) out.println("every real is down: failing open (all keep their weights)");
        }

        /** How many of the VIP's ring slots each real gets, from the weights in the file (what apply writes). */
        static Map<InetAddress, Integer> slotsPerReal(VipConfig vc, int ringSize) {
            List<Maglev.Backend> backends = new ArrayList<>();
            for (int i = 0; i < vc.reals().size(); i++) {
                Real r = vc.reals().get(i);
                backends.add(Maglev.Backend.of(i + 1, r.address(), r.weight()));
            }
            int[] count = new int[backends.size() + 1];
            for (int id : Maglev.ring(backends, ringSize)) count[id]++;
            Map<InetAddress, Integer> out = new HashMap<>();
            for (int i = 0; i < vc.reals().size(); i++) out.put(vc.reals().get(i).address(), count[i + 1]);
            return out;
        }
    }
}
