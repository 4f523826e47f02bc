package io.xdplb.director;

import io.xdplb.maps.Addresses;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Proto;
import io.xdplb.model.Vip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A short fingerprint of each VIP's live Maglev ring, read from the maps, so that an operator
 * (or a metric) can see at a glance that several directors send every flow to the same real.
 *
 * <p>It hashes what the data path would do, not how this director numbered things: each slot
 * contributes the address of its real (real ids are allocated per director and may differ
 * between directors whose rings agree), or "-" for an empty slot. SHA-256 over the slots in
 * order, the first 12 hex digits: equal rings give equal fingerprints on any machine, and a
 * single slot that differs changes it.
 */
public final class RingFingerprint {
    private RingFingerprint() {}

    /** Hex digits kept: 48 bits, short enough to read aloud, far too many to collide by chance. */
    public static final int LENGTH = 12;

    /** Real ids up to this one have their slot text made once per ring. */
    private static final int MAX_CACHED_ID = 65535;

    /** Every VIP in vip2tnl with the fingerprint of its live ring, in VIP order. */
    public static Map<Vip, String> of(BalancerMaps maps) {
        // only the reals a ring holds are read: the reals map has a slot for every possible real,
        // mostly empty, and a one-shot command would decode them all interpreted
        Map<Integer, String> addresses = new HashMap<>(); // "": the id has no address (asked once, too)
        IntFunction<String> address = id -> {
            String a = addresses.computeIfAbsent(id, i -> maps.reals.get(i)
                    .map(IpAddr::address).map(Addresses::format).orElse(""));
            return a.isEmpty() ? null : a;
        };
        int ringSize = maps.ringSize();
        Map<Vip, String> out = new TreeMap<>();
        for (Map.Entry<VipKey, VipMeta> e : maps.vip2tnl.entries().entrySet()) {
            VipKey k = e.getKey();
            Vip vip = new Vip(k.address(), k.port(), Proto.ofNumber(k.proto()));
            out.put(vip, of(MapSync.liveRing(maps, e.getValue(), ringSize), address));
        }
        return out;
    }

    /** The fingerprint of one ring of real ids, given each id's address text. */
    public static String of(int[] ring, Map<Integer, String> realAddresses) {
        return of(ring, realAddresses::get);
    }

    /**
     * The fingerprint of one ring of real ids; address gives an id's address text, null for an id
     * with none. It is asked once per id up to MAX_CACHED_ID.
     */
    private static String of(int[] ring, IntFunction<String> address) {
        // the same bytes as one update per slot ("address\n" or "-\n"), built first and hashed
        // in one call: a ring has 65,537 slots, and a one-shot command runs this interpreted
        byte[][] lines = new byte[MAX_CACHED_ID + 1][]; // by real id: ids are small (below --max-reals)
        byte[] text = new byte[64 * 1024];
        int n = 0;
        for (int id : ring) {
            boolean cached = id >= 0 && id <= MAX_CACHED_ID; // a map holds u32s: never trust their range
            byte[] line = cached ? lines[id] : null;
            if (line == null) {
                String a = id == 0 ? "-" : address.apply(id);
                line = ((a != null ? a : "id " + Integer.toUnsignedString(id)) + "\n").getBytes(StandardCharsets.UTF_8);
                if (cached) lines[id] = line;
            }
            if (n + line.length > text.length) text = java.util.Arrays.copyOf(text, Math.max(text.length * 2, n + line.length));
            System.arraycopy(line, 0, text, n, line.length);
            n += line.length;
        }
        MessageDigest sha = sha256();
        sha.update(text, 0, n);
        return HexFormat.of().formatHex(sha.digest()).substring(0, LENGTH);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
