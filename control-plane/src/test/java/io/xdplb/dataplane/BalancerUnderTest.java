package io.xdplb.dataplane;

import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.MapSync;
import io.xdplb.director.StatNames;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.Counter;
import io.xdplb.maps.LbConfig;
import io.xdplb.model.Config;
import io.xdplb.model.Encap;
import io.xdplb.model.Real;
import io.xdplb.model.Sizes;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.model.VipFlag;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Packets;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * The real bpf/balancer.bpf.o, loaded with small maps, programmed through the control plane's
 * own Java API (Config + MapSync, as the CLI does), and run with bpf_prog_test_run.
 */
final class BalancerUnderTest implements AutoCloseable {
    static final int DROP = 1, PASS = 2, TX = 3, REDIRECT = 4;
    static final Sizes SIZES = new Sizes(16, 64, 1021, 4096);
    static final byte[] OWN_MAC = Bytes.mac("02:00:00:00:00:0a");   // the director's interface
    static final byte[] GW_MAC = Bytes.mac("02:00:00:00:00:01");    // the next hop
    static final byte[] CLIENT_MAC = Bytes.mac("02:00:00:00:00:c1");
    static final String SRC4 = "192.0.2.10", SRC6 = "2001:db8:1::10";
    static final String CLIENT4 = "198.51.100.2", CLIENT6 = "2001:db8:c::2";
    static final List<String> REALS4 = List.of("192.0.2.11", "192.0.2.12", "192.0.2.13");
    static final List<String> REALS6 = List.of("2001:db8:1::11", "2001:db8:1::12", "2001:db8:1::13");
    static final int MTU = 1500;
    static final int ACK_ONLY = Packets.ACK;

    final BpfObject obj;
    final BalancerMaps maps;
    final BpfProgram prog;
    private final MapSync sync;
    private final List<String> statNames = StatNames.balancer();
    private Config config = Config.EMPTY.withSizes(SIZES);

    BalancerUnderTest() {
        obj = BalancerObject.load(SIZES);
        maps = BalancerMaps.of(obj::map);
        prog = obj.program(BalancerObject.NAME);
        sync = new MapSync(maps);
        lbConfig(0, MTU);
    }

    void lbConfig(int egressIfindex, int mtu) {
        maps.lbConfig.put(0, new LbConfig(egressIfindex, OWN_MAC, GW_MAC, (Inet4Address) InetAddress.ofLiteral(SRC4),
                (Inet6Address) InetAddress.ofLiteral(SRC6), 6080, mtu, 0));
    }

    /** Adds a VIP with equal-weight reals (weight 1), the way `vip add` + `real add` do. */
    void vip(String vip, Encap encap, List<String> reals, VipFlag... flags) {
        Vip v = Vip.parse(vip);
        VipConfig vc = VipConfig.of(v, encap, Set.of(flags));
        for (String r : reals) vc = vc.withReal(new Real(InetAddress.ofLiteral(r), 1));
        apply(config.withVip(vc));
    }

    void apply(Config next) {
        sync.apply(config, next);
        config = next;
    }

    Config config() {
        return config;
    }

    TestRun.Result run(byte[] frame) {
        return TestRun.run(prog, frame);
    }

    Counter stat(String name) {
        int i = statNames.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no counter " + name + " in " + statNames);
        return maps.lbStats.sum(i);
    }

    /** A TCP frame from the client to addr:port. */
    static byte[] tcp(String src, int sport, String dst, int dport, int flags) {
        return tcp(src, sport, dst, dport, flags, 0, new byte[0]);
    }

    static byte[] tcp(String src, int sport, String dst, int dport, int flags, int tos, byte[] data) {
        byte[] s = Bytes.ip(src), d = Bytes.ip(dst);
        byte[] seg = Packets.tcp(s, d, sport, dport, flags, data);
        return s.length == 4
                ? Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.TCP, tos, Packets.DF, new byte[0], seg))
                : Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP6, Packets.ipv6(s, d, Packets.TCP, tos, seg));
    }

    static byte[] udp(String src, int sport, String dst, int dport, byte[] data, boolean zeroChecksum) {
        byte[] s = Bytes.ip(src), d = Bytes.ip(dst);
        byte[] dg = Packets.udp(s, d, sport, dport, data, zeroChecksum);
        return s.length == 4
                ? Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.UDP, dg))
                : Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP6, Packets.ipv6(s, d, Packets.UDP, 0, dg));
    }

    @Override
    public void close() {
        obj.close();
    }
}
