package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VipTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.10:80/tcp                 | 192.0.2.10:80/tcp",
            "192.0.2.10:80/TCP                 | 192.0.2.10:80/tcp",
            "192.0.2.10:0/udp                  | 192.0.2.10:0/udp",
            "192.0.2.10:080/Udp                | 192.0.2.10:80/udp",
            "[2001:db8::10]:443/udp            | [2001:db8::10]:443/udp",
            "[2001:DB8:0:0:0:0:0:10]:65535/tcp | [2001:db8::10]:65535/tcp",
    })
    void parsesToCanonicalText(String in, String canonical) {
        assertEquals(canonical, Vip.parse(in).toString());
        assertEquals(Vip.parse(in), Vip.parse(canonical));
    }

    @Test
    void fieldsAndFamily() {
        Vip v4 = Vip.parse("192.0.2.10:80/tcp");
        assertEquals(80, v4.port());
        assertEquals(Proto.TCP, v4.proto());
        assertEquals(6, v4.proto().number());
        assertFalse(v4.isIpv6());
        assertEquals(2, v4.family());
        Vip v6 = Vip.parse("[2001:db8::10]:443/udp");
        assertEquals(17, v6.proto().number());
        assertTrue(v6.isIpv6());
        assertEquals(10, v6.family());
    }

    private static final String SYNTAX =
            ": expected ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.10:80",
            "192.0.2.10/tcp",
            "192.0.2.10:/tcp",
            ":80/tcp",
            "192.0.2.10:80/",
            "[2001:db8::10]/tcp",
            "[2001:db8::10:443/tcp",
            "''",
    })
    void syntaxErrors(String in) {
        assertEquals("bad VIP \"" + in + "\"" + SYNTAX, assertThrows(UserError.class, () -> Vip.parse(in)).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.10:70000/tcp  | bad port 70000 in VIP \"192.0.2.10:70000/tcp\": must be 0..65535 (0 = all ports)",
            "192.0.2.10:65536/tcp  | bad port 65536 in VIP \"192.0.2.10:65536/tcp\": must be 0..65535 (0 = all ports)",
            "192.0.2.10:99999999999/tcp | bad port 99999999999 in VIP \"192.0.2.10:99999999999/tcp\": must be 0..65535 (0 = all ports)",
            "192.0.2.10:http/tcp   | bad port \"http\" in VIP \"192.0.2.10:http/tcp\": must be a number 0..65535 (0 = all ports)",
            "192.0.2.10:-1/tcp     | bad port \"-1\" in VIP \"192.0.2.10:-1/tcp\": must be a number 0..65535 (0 = all ports)",
            "192.0.2.10:80/icmp    | bad protocol \"icmp\" in VIP \"192.0.2.10:80/icmp\": must be tcp or udp",
            "192.0.2.300:80/tcp    | bad address \"192.0.2.300\" in VIP \"192.0.2.300:80/tcp\": expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "lb.example:80/tcp     | bad address \"lb.example\" in VIP \"lb.example:80/tcp\": expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "0.0.0.0:80/tcp        | bad address \"0.0.0.0\" in VIP \"0.0.0.0:80/tcp\": the unspecified address cannot be used here",
            "[::ffff:192.0.2.10]:80/tcp | bad address \"::ffff:192.0.2.10\" in VIP \"[::ffff:192.0.2.10]:80/tcp\": IPv4-mapped IPv6 addresses are not supported, write the IPv4 address 192.0.2.10",
            "2001:db8::10:443/udp  | bad VIP \"2001:db8::10:443/udp\": an IPv6 address needs brackets, e.g. [2001:db8::10]:443/udp",
    })
    void badPartsNameTheValue(String in, String message) {
        assertEquals(message, assertThrows(UserError.class, () -> Vip.parse(in)).getMessage());
    }

    @Test
    void sortsIpv4FirstThenAddressPortProto() {
        List<String> expected = List.of("192.0.2.9:443/tcp", "192.0.2.10:0/tcp", "192.0.2.10:80/tcp",
                "192.0.2.10:80/udp", "[2001:db8::10]:53/udp");
        List<Vip> vips = new ArrayList<>(expected.stream().map(Vip::parse).toList());
        Collections.reverse(vips);
        Collections.sort(vips);
        assertEquals(expected, vips.stream().map(Vip::toString).toList());
    }
}
