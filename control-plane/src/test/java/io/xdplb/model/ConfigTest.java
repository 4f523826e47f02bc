package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transitions the CLI uses (vip add, real add, ...) and their errors in CLI words. */
class ConfigTest {
    static final Vip WEB = Vip.parse("192.0.2.10:80/tcp");
    static final Vip DNS6 = Vip.parse("[2001:db8::10]:53/udp");

    static InetAddress ip(String s) {
        return IpAddresses.parse(s, "test address");
    }

    static String message(Runnable r) {
        return assertThrows(UserError.class, r::run).getMessage();
    }

    @Test
    void addVipThenRealsThenChangeWeightThenRemove() {
        Config c = Config.EMPTY.withVip(VipConfig.of(WEB, Encap.IPIP, Set.of()));
        c = c.withReal(WEB, new Real(ip("198.51.100.3"), 1)).withReal(WEB, new Real(ip("198.51.100.2"), 2));
        assertEquals(List.of("198.51.100.2 weight 2", "198.51.100.3 weight 1"),
                c.requireVip(WEB).reals().stream().map(Real::toString).toList());
        c = c.withReal(WEB, new Real(ip("198.51.100.2"), 0)); // same real again = new weight
        assertEquals(0, c.requireVip(WEB).real(ip("198.51.100.2")).orElseThrow().weight());
        assertEquals(2, c.requireVip(WEB).reals().size());
        c = c.withoutReal(WEB, ip("198.51.100.2"));
        assertEquals(List.of(ip("198.51.100.3")), c.requireVip(WEB).reals().stream().map(Real::address).toList());
        assertEquals(Config.EMPTY, c.withoutVip(WEB));
    }

    @Test
    void reAddingAVipKeepsItsRealsWhenSettingsChange() {
        Config c = Config.EMPTY.withVip(VipConfig.of(WEB, Encap.IPIP, Set.of()))
                .withReal(WEB, new Real(ip("198.51.100.2"), 1));
        Config d = c.withVip(c.requireVip(WEB).withSettings(Encap.GUE, Set.of(VipFlag.NO_SPORT)));
        assertEquals(Encap.GUE, d.requireVip(WEB).encap());
        assertEquals(Set.of(VipFlag.NO_SPORT), d.requireVip(WEB).flags());
        assertEquals(c.requireVip(WEB).reals(), d.requireVip(WEB).reals());
    }

    @Test
    void equalContentIsEqualWhateverTheOrder() {
        VipConfig a = new VipConfig(WEB, Encap.IPIP, Set.of(VipFlag.DPORT_ONLY, VipFlag.NO_SPORT),
                List.of(new Real(ip("198.51.100.3"), 1), new Real(ip("198.51.100.2"), 1)));
        VipConfig b = new VipConfig(WEB, Encap.IPIP, Set.of(VipFlag.NO_SPORT, VipFlag.DPORT_ONLY),
                List.of(new Real(ip("198.51.100.2"), 1), new Real(ip("198.51.100.3"), 1)));
        VipConfig d = VipConfig.of(DNS6, Encap.GUE, Set.of());
        assertEquals(a, b);
        assertEquals(new Config(Sizes.DEFAULT, null, List.of(a, d), List.of(), null),
                new Config(Sizes.DEFAULT, null, List.of(d, b), List.of(), null));
        assertEquals(5, a.flagMask());
    }

    @Test
    void missingThingsSayHowToFixIt() {
        assertEquals("VIP 192.0.2.10:80/tcp is not configured (add it with xdplb vip add 192.0.2.10:80/tcp)",
                message(() -> Config.EMPTY.withReal(WEB, new Real(ip("198.51.100.2"), 1))));
        assertEquals("VIP 192.0.2.10:80/tcp is not configured (add it with xdplb vip add 192.0.2.10:80/tcp)",
                message(() -> Config.EMPTY.withoutVip(WEB)));
        Config c = Config.EMPTY.withVip(VipConfig.of(WEB, Encap.IPIP, Set.of()));
        assertEquals("real 198.51.100.9 is not in VIP 192.0.2.10:80/tcp (see xdplb real list 192.0.2.10:80/tcp)",
                message(() -> c.withoutReal(WEB, ip("198.51.100.9"))));
        assertEquals("no real-server set-up on interface eth0 (netns rs1)",
                message(() -> Config.EMPTY.withoutRealServer("eth0", "rs1")));
    }

    @Test
    void encapIsCheckedWhenARealIsAddedAndWhenTheEncapChanges() {
        Config c = Config.EMPTY.withVip(VipConfig.of(DNS6, Encap.IPIP, Set.of()));
        String expected = "encap ipip cannot carry IPv6 VIP [2001:db8::10]:53/udp to IPv4 real 198.51.100.2 "
                + "(no IPv6 in IPv4 IPIP): use --encap gue";
        assertEquals(expected, message(() -> c.withReal(DNS6, new Real(ip("198.51.100.2"), 1))));
        Config gue = c.withVip(VipConfig.of(DNS6, Encap.GUE, Set.of())).withReal(DNS6, new Real(ip("198.51.100.2"), 1));
        assertEquals(expected, message(() -> gue.requireVip(DNS6).withSettings(Encap.IPIP, Set.of())));
    }

    @Test
    void capacityErrorsInCliWords() {
        Config one = Config.EMPTY.withSizes(new Sizes(1, 2, 13, 100)).withVip(VipConfig.of(WEB, Encap.IPIP, Set.of()));
        assertEquals("cannot add VIP [2001:db8::10]:53/udp: all 1 VIP slots are used (sizes.maxVips); "
                        + "delete a VIP or raise sizes.maxVips (xdplb detach, then xdplb attach --max-vips N)",
                message(() -> one.withVip(VipConfig.of(DNS6, Encap.GUE, Set.of()))));
        // Replacing the one VIP is fine.
        assertEquals(Encap.GUE, one.withVip(VipConfig.of(WEB, Encap.GUE, Set.of())).requireVip(WEB).encap());
        Config full = one.withReal(WEB, new Real(ip("198.51.100.2"), 1));
        assertEquals("cannot add real 198.51.100.3: all 1 real ids are used (sizes.maxReals - 1); "
                        + "remove a real or raise sizes.maxReals (xdplb detach, then xdplb attach --max-reals N)",
                message(() -> full.withReal(WEB, new Real(ip("198.51.100.3"), 1))));
        // Re-weighting an existing real needs no new id.
        assertEquals(5, full.withReal(WEB, new Real(ip("198.51.100.2"), 5)).requireVip(WEB).reals().getFirst().weight());
    }

    @Test
    void aRealInSeveralVipsCountsOnce() {
        Config c = Config.EMPTY.withSizes(new Sizes(4, 2, 13, 100))
                .withVip(VipConfig.of(WEB, Encap.IPIP, Set.of()))
                .withVip(VipConfig.of(DNS6, Encap.GUE, Set.of()))
                .withReal(WEB, new Real(ip("198.51.100.2"), 1))
                .withReal(DNS6, new Real(ip("198.51.100.2"), 1));
        assertEquals(Set.of(ip("198.51.100.2")), c.distinctReals());
    }

    @Test
    void directorAndRealServerCannotShareAnInterface() {
        RealServer rs = new RealServer("eth0", "lb", List.of(ip("192.0.2.10")), 6080);
        Config withRs = Config.EMPTY.withRealServer(rs);
        assertEquals("interface eth0 (netns lb) has a real-server set-up; tear it down first",
                message(() -> withRs.withDirector(Director.withDefaults("eth0", "lb"))));
        Config withDirector = Config.EMPTY.withDirector(Director.withDefaults("eth0", "lb"));
        assertEquals("interface eth0 (netns lb) has the director attached; detach it first",
                message(() -> withDirector.withRealServer(rs)));
        // Same name in another namespace is another interface.
        assertEquals(1, withDirector.withRealServer(new RealServer("eth0", "rs1", List.of(ip("192.0.2.10")), 6080))
                .realservers().size());
        assertSame(null, withDirector.withDirector(null).director());
    }

    @Test
    void realServerSetUpIsReplacedOnTheSameInterface() {
        Config c = Config.EMPTY.withRealServer(new RealServer("eth0", "rs1", List.of(ip("192.0.2.10")), 6080))
                .withRealServer(new RealServer("eth0", "rs1", List.of(ip("192.0.2.11"), ip("192.0.2.10")), 6081));
        assertEquals(1, c.realservers().size());
        assertEquals(List.of(ip("192.0.2.10"), ip("192.0.2.11")), c.realservers().getFirst().vips());
        assertEquals(6081, c.realservers().getFirst().guePort());
    }

    @Test
    void recordsRejectBadValuesDirectly() {
        assertEquals("weight = -1: weight must be 0..65535", message(() -> new Real(ip("198.51.100.2"), -1)));
        assertEquals("mtu = 100: must be 576..65535", message(() -> new Director("eth0", null, AttachMode.NATIVE,
                null, "auto", null, null, 6080, 100, 125000)));
        assertEquals("ringSize = 1000: ring size 1000 is not prime; use a prime such as 16381 or 65537",
                message(() -> new Sizes(256, 4096, 1000, 65536)));
        assertTrue(new Director("eth0", null, AttachMode.GENERIC, "eth1", "AA:BB:CC:DD:EE:FF", null, null, 6080, 1500, 125000)
                .gatewayMac().equals("aa:bb:cc:dd:ee:ff"));
        byte[] mac = new Director("eth0", null, AttachMode.GENERIC, null, "02:00:00:00:00:fe", null, null, 6080, 1500, 125000)
                .gatewayMacBytes();
        assertEquals(2, mac[0]);
        assertEquals((byte) 0xfe, mac[5]);
    }
}
