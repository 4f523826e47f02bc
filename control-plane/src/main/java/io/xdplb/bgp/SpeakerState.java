package io.xdplb.bgp;

import io.xdplb.model.IpAddresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a speaker reports: whether it runs, its BGP sessions (BIRD protocol name, BIRD's
 * state and info, e.g. "up" / "Established", "start" / "Active  Socket: Connection refused"),
 * and the host routes it offers to its peers.
 */
public record SpeakerState(boolean running, List<Session> sessions, Set<InetAddress> offered) {
    public static final SpeakerState NOT_RUNNING = new SpeakerState(false, List.of(), Set.of());

    public record Session(String name, String state, String info) {
        public boolean established() {
            return info.startsWith("Established");
        }
    }

    public SpeakerState {
        sessions = List.copyOf(sessions);
        offered = Set.copyOf(offered);
    }

    public Session session(String name) {
        return sessions.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Parses `birdc show protocols` (with timeformat protocol "%F %T": Name Proto Table State
     * Date Time Info...) and `birdc show route protocol ...` (a route per line, its prefix first).
     */
    static SpeakerState parse(String protocols, String routes) {
        List<Session> sessions = new ArrayList<>();
        for (String line : protocols.split("\n")) {
            String[] f = line.strip().split("\\s+", 7);
            if (f.length < 6 || !f[1].equals("BGP")) continue;
            sessions.add(new Session(f[0], f[3], f.length == 7 ? f[6].strip().replaceAll("\\s+", " ") : ""));
        }
        Set<InetAddress> offered = new HashSet<>();
        for (String line : routes.split("\n")) {
            String first = line.strip().split("\\s+", 2)[0];
            int slash = first.indexOf('/');
            if (slash <= 0) continue;
            try {
                offered.add(IpAddresses.parse(first.substring(0, slash), "route"));
            } catch (RuntimeException notARoute) {
                // headers such as "Table master4:"
            }
        }
        return new SpeakerState(true, sessions, offered);
    }
}
