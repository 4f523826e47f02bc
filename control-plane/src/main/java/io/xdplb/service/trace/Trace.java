package io.xdplb.service.trace;

import java.util.List;
import java.util.Map;

/**
 * What trace found out about one packet: the director's verdict and each step that led to it.
 * Null parts did not happen (e.g. no ring for a connection-table hit, no output for a drop).
 */
public record Trace(Packet packet, String verdict, List<String> counted, VipMatch vip, ConnLookup conn, RingChoice ring,
                    Real real, ConnWrite writes, Output output, String inputHex) {

    /** The packet as the director sees it. */
    public record Packet(String family, String src, Integer sport, String dst, Integer dport, String proto, String tcpFlags,
                         Integer vlan, int length, List<Frames.Layer> layers) {}

    /** match: "exact", "all-ports" or "none" (then why says why). */
    public record VipMatch(String match, String vip, Integer vipId, String encap, List<String> flags, Integer liveRing,
                           String why) {}

    /** result: "hit", "miss", "skipped" or "not used"; entry: the live entry the private copy was seeded with. */
    public record ConnLookup(String result, String why, Map<String, Object> entry) {}

    /** How the ring chose: the flow hash of these fields, its position in the VIP's live ring, the real id there. */
    public record RingChoice(String hashedOn, String hash, int ringSize, int position, int liveRing, long index, int realId) {}

    /** from: "connection table" or "ring". */
    public record Real(String address, int id, String from) {}

    /** The entry the program would leave in the connection table (only in trace's private copy). */
    public record ConnWrite(int realId, int vipId, String note) {}

    /** The frame the director sends (XDP_TX / redirect), taken apart. */
    public record Output(int length, String egress, List<Frames.Layer> layers, List<String> problems, Boolean innerUnchanged,
                         String hex) {}
}
