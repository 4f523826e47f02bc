package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IpAddressesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "198.51.100.2            | 198.51.100.2",
            "2001:DB8:0:0:0:0:0:2    | 2001:db8::2",
            "[2001:db8::2]           | 2001:db8::2",
            "2001:db8:0:0:1:0:0:1    | 2001:db8::1:0:0:1",   // RFC 5952 4.2.3: first of equal runs
            "2001:db8:0:1:1:1:1:1    | 2001:db8:0:1:1:1:1:1", // 4.2.2: a single zero group stays
            "2001:0db8::0001         | 2001:db8::1",          // 4.1: no leading zeros
            "2001:DB8::A:1           | 2001:db8::a:1",
            "64:ff9b::192.0.2.1      | 64:ff9b::c000:201",
    })
    void parsesAndFormatsCanonically(String in, String out) {
        assertEquals(out, IpAddresses.format(IpAddresses.parse(in, "real address")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "host.example      | expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "10.1              | expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "010.1.1.1         | expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "192.0.2.256       | expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "2001:db8:::1      | expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "fe80::1%eth0      | scoped IPv6 addresses (with %) are not supported",
            "::ffff:192.0.2.1  | IPv4-mapped IPv6 addresses are not supported, write the IPv4 address 192.0.2.1",
            "0.0.0.0           | the unspecified address cannot be used here",
            "::                | the unspecified address cannot be used here",
            "127.0.0.1         | a loopback address cannot be used here",
            "::1               | a loopback address cannot be used here",
            "224.0.0.1         | a multicast address cannot be used here",
            "ff02::1           | a multicast address cannot be used here",
            "fe80::1           | a link-local address cannot be used here (it is not routed)",
            "169.254.1.1       | a link-local address cannot be used here (it is not routed)",
            "255.255.255.255   | the broadcast address cannot be used here",
            "::192.0.2.1       | IPv4-compatible IPv6 addresses (::a.b.c.d, deprecated by RFC 4291) are not supported",
    })
    void rejectsWithReason(String in, String reason) {
        UserError e = assertThrows(UserError.class, () -> IpAddresses.parse(in, "real address"));
        assertEquals("bad real address \"" + in + "\": " + reason, e.getMessage());
    }

    @Test
    void emptyIsRejected() {
        UserError e = assertThrows(UserError.class, () -> IpAddresses.parse("", "real address"));
        assertEquals("bad real address \"\": expected an IPv4 or IPv6 literal (no host names), "
                + "e.g. 198.51.100.2 or 2001:db8::2", e.getMessage());
    }

    @Test
    void familySpecificParsers() {
        assertInstanceOf(Inet4Address.class, IpAddresses.parse4("192.0.2.1", "source address"));
        assertInstanceOf(Inet6Address.class, IpAddresses.parse6("2001:db8::1", "source address"));
        assertEquals("bad source address \"2001:db8::1\": must be an IPv4 address, e.g. 192.0.2.1",
                assertThrows(UserError.class, () -> IpAddresses.parse4("2001:db8::1", "source address")).getMessage());
        assertEquals("bad source address \"192.0.2.1\": must be an IPv6 address, e.g. 2001:db8::1",
                assertThrows(UserError.class, () -> IpAddresses.parse6("192.0.2.1", "source address")).getMessage());
    }

    @Test
    void orderPutsIpv4FirstThenUnsignedBytes() {
        InetAddress a = IpAddresses.parse("192.0.2.200", "x");
        InetAddress b = IpAddresses.parse("198.51.100.1", "x");
        InetAddress c = IpAddresses.parse("2001:db8::1", "x");
        assertEquals(-1, Integer.signum(IpAddresses.ORDER.compare(a, b)));
        assertEquals(-1, Integer.signum(IpAddresses.ORDER.compare(b, c)));
        assertEquals(1, Integer.signum(IpAddresses.ORDER.compare(c, a)));
    }
}
