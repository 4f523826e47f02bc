package io.xdplb.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.UserError;
import io.xdplb.maps.Addresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** What the director and real-server set-ups need to know about an interface and its neighbours. */
public final class Interfaces {
    private Interfaces() {}

    public record Link(int ifindex, byte[] mac, int mtu) {}

    public static Link link(String netns, String iface) {
        JsonNode l = IpCommand.json(netns, "link", "show", "dev", iface).path(0);
        byte[] mac = Addresses.parseMac(l.path("address").asText(""));
        if (mac == null) throw new UserError(iface + " has no Ethernet address; xdplb needs an Ethernet interface");
        return new Link(l.path("ifindex").asInt(), mac, l.path("mtu").asInt());
    }

    /** The interface's global addresses (both families). */
    public static List<InetAddress> globalAddresses(String netns, String iface) {
        List<InetAddress> out = new ArrayList<>();
        for (JsonNode a : IpCommand.json(netns, "addr", "show", "dev", iface).path(0).path("addr_info")) {
            if (!a.path("scope").asText().equals("global")) continue;
            out.add(Addresses.parseLiteral(a.path("local").asText()));
        }
        return out;
    }

    /** Every address of the interface, any scope (for lo, where VIPs are host-scoped or global). */
    public static List<InetAddress> addresses(String netns, String iface) {
        List<InetAddress> out = new ArrayList<>();
        for (JsonNode a : IpCommand.json(netns, "addr", "show", "dev", iface).path(0).path("addr_info")) {
            out.add(Addresses.parseLiteral(a.path("local").asText()));
        }
        return out;
    }

    /**
     * The MAC of the default gateway of a family (4 or 6), from the route and neighbour
     * tables; resolves the neighbour with one ping when it is not yet known.
     */
    public static byte[] gatewayMac(String netns, int family) {
        String fam = family == 4 ? "-4" : "-6";
        JsonNode routes = IpCommand.json(netns, fam, "route", "show", "default");
        String gw = routes.path(0).path("gateway").asText("");
        String dev = routes.path(0).path("dev").asText("");
        if (gw.isEmpty()) {
            throw new UserError("no IPv" + family + " default route with a gateway in "
                    + (netns == null ? "the host namespace" : "netns " + netns)
                    + ": give the next hop's MAC with --gateway-mac aa:bb:cc:dd:ee:ff");
        }
        byte[] mac = neighbourMac(netns, gw, dev);
        if (mac == null) {
            // not resolved yet: one datagram to the gateway makes the kernel resolve it (ARP / ND)
            poke(netns, gw);
            for (int i = 0; i < 30 && mac == null; i++) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                mac = neighbourMac(netns, gw, dev);
            }
        }
        if (mac == null) {
            throw new UserError("the MAC of gateway " + gw + " (dev " + dev + ") is not known: ping it once,"
                    + " or give it with --gateway-mac aa:bb:cc:dd:ee:ff");
        }
        return mac;
    }

    /** Sends one empty UDP datagram to address:9 (discard) from inside the namespace. */
    private static void poke(String netns, String address) {
        io.xdplb.libbpf.Netns.run(netns, () -> {
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                s.send(new java.net.DatagramPacket(new byte[0], 0, Addresses.parseLiteral(address), 9));
            } catch (java.io.IOException e) {
                // resolution may still happen; the caller reports if it did not
            }
        });
    }

    private static byte[] neighbourMac(String netns, String ip, String dev) {
        for (JsonNode n : IpCommand.json(netns, "neigh", "show", ip, "dev", dev)) {
            String ll = n.path("lladdr").asText("");
            boolean usable = true;
            for (JsonNode s : n.path("state")) {
                String st = s.asText();
                if (st.equals("FAILED") || st.equals("INCOMPLETE")) usable = false;
            }
            if (usable && !ll.isEmpty()) return Addresses.parseMac(ll);
        }
        return null;
    }
}
