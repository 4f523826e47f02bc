package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigJsonTest {
    /** The full example of docs/configuration.md, which must be in canonical form. */
    static String docExample() throws IOException {
        Path doc = Path.of(System.getProperty("xdplb.repo", ".."), "docs", "configuration.md");
        String md = Files.readString(doc);
        int start = md.indexOf("```json\n") + "```json\n".length();
        return md.substring(start, md.indexOf("```", start));
    }

    private static Config parse(String json) {
        return ConfigJson.parse(json, "/x.json");
    }

    private static String error(String json) {
        String message = assertThrows(UserError.class, () -> parse(json)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void docExampleIsCanonicalAndRoundTripsByteForByte() throws IOException {
        String text = docExample();
        Config c = parse(text);
        assertEquals(text, ConfigJson.write(c));
        assertEquals(c, parse(ConfigJson.write(c)));
        // and what it says
        assertEquals("eth0", c.director().iface());
        assertEquals("lb", c.director().netns());
        assertTrue(c.director().autoGatewayMac());
        assertEquals(2, c.vips().size());
        VipConfig v6 = c.vip(Vip.parse("[2001:db8::10]:443/udp")).orElseThrow();
        assertEquals(Encap.GUE, v6.encap());
        assertEquals(Set.of(VipFlag.NO_SPORT), v6.flags());
        assertEquals(1, v6.flagMask());
        assertEquals(0, c.vip(Vip.parse("192.0.2.10:80/tcp")).orElseThrow()
                .real(IpAddresses.parse("198.51.100.4", "x")).orElseThrow().weight());
        assertEquals(4, c.distinctReals().size());
    }

    @Test
    void messyInputGetsCanonicalOutputThatIsStable() {
        String messy = """
                {"realservers": [{"iface": "eth1", "vips": ["2001:DB8::10", "192.0.2.10"]},
                                 {"iface": "eth0", "netns": "rs1", "vips": ["192.0.2.10"], "guePort": 7000}],
                 "vips": [
                   {"vip": "[2001:db8:0::10]:443/UDP", "encap": "GUE", "flags": ["dport-only", "No-Sport"],
                    "reals": [{"address": "[2001:db8:1:0::2]", "weight": 3}, {"address": "198.51.100.9"}]},
                   {"vip": "192.0.2.10:80/tcp", "reals": [{"address": "198.51.100.3"}, {"address": "198.51.100.2"}]}
                 ],
                 "director": {"iface": "eth0", "gatewayMac": "AA:BB:CC:DD:EE:0F", "src6": "2001:db8:0::1"},
                 "sizes": {"ringSize": 65537},
                 "version": 1}
                """;
        Config c = parse(messy);
        String out = ConfigJson.write(c);
        assertEquals(out, ConfigJson.write(parse(out)));
        assertEquals(c, parse(out));
        // Spot checks of the canonical form.
        assertTrue(out.contains("\"vip\": \"[2001:db8::10]:443/udp\""), out);
        assertTrue(out.contains("\"encap\": \"gue\""), out);
        assertTrue(out.contains("\"gatewayMac\": \"aa:bb:cc:dd:ee:0f\""), out);
        assertTrue(out.indexOf("192.0.2.10:80/tcp") < out.indexOf("[2001:db8::10]:443/udp"), "VIPs sorted");
        assertTrue(out.indexOf("198.51.100.2") < out.indexOf("198.51.100.3"), "reals sorted");
        assertTrue(out.indexOf("\"no-sport\"") < out.indexOf("\"dport-only\""), "flags in bit order");
        assertTrue(out.indexOf("\"eth1\"") < out.indexOf("\"rs1\""), "no namespace sorts first");
        assertTrue(out.endsWith("}\n"));
        assertEquals(List.of("192.0.2.10", "2001:db8::10"),
                c.realservers().getFirst().vips().stream().map(IpAddresses::format).toList());
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        Config c = parse("""
                {"version": 1, "director": {"iface": "eth0"},
                 "vips": [{"vip": "192.0.2.10:80/tcp", "reals": [{"address": "198.51.100.2"}]}],
                 "realservers": [{"iface": "eth0", "netns": "rs1", "vips": ["192.0.2.10"]}]}
                """);
        assertEquals(Sizes.DEFAULT, c.sizes());
        assertEquals(Director.withDefaults("eth0", null), c.director());
        assertEquals(AttachMode.NATIVE, c.director().mode());
        assertEquals(6080, c.director().guePort());
        assertEquals(1500, c.director().mtu());
        assertNull(c.director().egress());
        assertNull(c.director().src4());
        VipConfig v = c.vips().getFirst();
        assertEquals(Encap.IPIP, v.encap());
        assertEquals(Set.of(), v.flags());
        assertEquals(1, v.reals().getFirst().weight());
        assertEquals(6080, c.realservers().getFirst().guePort());
        assertEquals(Config.EMPTY, parse("{\"version\": 1}"));
        assertEquals(Config.EMPTY, parse("{\"version\": 1, \"director\": null, \"vips\": null}"));
    }

    @Test
    void emptyConfigText() {
        assertEquals("""
                {
                  "version": 1,
                  "sizes": {
                    "maxVips": 64,
                    "maxReals": 4096,
                    "ringSize": 65537,
                    "connTableSize": 65536
                  },
                  "director": null,
                  "vips": [],
                  "realservers": [],
                  "bgp": null
                }
                """, ConfigJson.write(Config.EMPTY));
    }

    @Test
    void syntaxErrorsSayWhere() {
        assertTrue(error("{\"version\": 1,\n \"vips\": [}").startsWith("config file /x.json: not valid JSON at line 2, column "));
        assertTrue(error("{\"version\": 1, \"version\": 1}").matches(
                "config file /x.json: not valid JSON at line 1, column \\d+: Duplicate field 'version'"));
        assertTrue(error("{\"version\": 1} {}").startsWith("config file /x.json: not valid JSON at line 1"));
        assertEquals("config file /x.json: is empty; expected a JSON object such as {\"version\": 1, \"vips\": []}",
                error("  \n"));
    }

    private static final String VIP_ALLOWED = "allowed fields are vip, encap, flags, reals, minHealthy, check";

    /** Each row: a document (single quotes become double quotes) and its exact error after "config file /x.json: ". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // top level
            "[]                                   | (top level) = []: must be a JSON object {...}",
            "{}                                   | version: is required; this program reads \"version\": 1",
            "{'version': 2}                       | version = 2: only version 1 is supported",
            "{'version': '1'}                     | version = \"1\": only version 1 is supported",
            "{'version': 1, 'vip': []}            | vip: unknown field; allowed fields are version, sizes, director, vips, realservers, bgp",
            "{'version': 1, 'vips': {}}           | vips = {}: must be a JSON array [...]",
            // sizes
            "{'version': 1, 'sizes': {'ringSize': 1000}}     | sizes.ringSize = 1000: ring size 1000 is not prime; use a prime such as 16381 or 65537",
            "{'version': 1, 'sizes': {'maxVips': 0}}         | sizes.maxVips = 0: must be 1..65536",
            "{'version': 1, 'sizes': {'maxVips': '256'}}     | sizes.maxVips = \"256\": must be an integer",
            "{'version': 1, 'sizes': {'maxReals': 1}}        | sizes.maxReals = 1: must be 2..1048576",
            "{'version': 1, 'sizes': {'connTableSize': 0}}   | sizes.connTableSize = 0: must be 1..67108864",
            "{'version': 1, 'sizes': {'maxVips': 65536, 'ringSize': 65537}} | sizes.ringSize = 65537: maxVips 65536 x 2 rings x 65537 slots is too large for one BPF array; lower maxVips or ringSize",
            "{'version': 1, 'sizes': {'ring': 13}}           | sizes.ring: unknown field; allowed fields are maxVips, maxReals, ringSize, connTableSize",
            // director
            "{'version': 1, 'director': 'eth0'}              | director = \"eth0\": must be a JSON object {...}",
            "{'version': 1, 'director': {}}                  | director.iface: is required",
            "{'version': 1, 'director': {'iface': 'abcdefghijklmnop'}} | director.iface = \"abcdefghijklmnop\": an interface name is 1..15 characters",
            "{'version': 1, 'director': {'iface': 'eth 0'}}  | director.iface = \"eth 0\": an interface name cannot contain '/', ':', '@', spaces or non-ASCII characters",
            "{'version': 1, 'director': {'iface': 'eth0', 'netns': 'a/b'}} | director.netns = \"a/b\": a namespace name cannot contain '/', '@', spaces or non-ASCII characters",
            "{'version': 1, 'director': {'iface': 'eth0', 'mode': 'offload'}} | director.mode: bad mode \"offload\": must be native or generic",
            "{'version': 1, 'director': {'iface': 'eth0', 'egress': ''}} | director.egress = \"\": an interface name is 1..15 characters",
            "{'version': 1, 'director': {'iface': 'eth0', 'gatewayMac': 'aa:bb'}} | director.gatewayMac = \"aa:bb\": must be a MAC like aa:bb:cc:dd:ee:ff, or auto",
            "{'version': 1, 'director': {'iface': 'eth0', 'gatewayMac': 'FF:FF:FF:FF:FF:FF'}} | director.gatewayMac = \"FF:FF:FF:FF:FF:FF\": a multicast or broadcast MAC cannot be a next hop",
            "{'version': 1, 'director': {'iface': 'eth0', 'gatewayMac': '00:00:00:00:00:00'}} | director.gatewayMac = \"00:00:00:00:00:00\": the all-zero MAC cannot be a next hop",
            "{'version': 1, 'director': {'iface': 'eth0', 'src4': '2001:db8::1'}} | director.src4: bad source address \"2001:db8::1\": must be an IPv4 address, e.g. 192.0.2.1",
            "{'version': 1, 'director': {'iface': 'eth0', 'src6': '192.0.2.1'}} | director.src6: bad source address \"192.0.2.1\": must be an IPv6 address, e.g. 2001:db8::1",
            "{'version': 1, 'director': {'iface': 'eth0', 'src4': '0.0.0.0'}} | director.src4: bad source address \"0.0.0.0\": the unspecified address cannot be used here",
            "{'version': 1, 'director': {'iface': 'eth0', 'guePort': 0}} | director.guePort = 0: must be 1..65535",
            "{'version': 1, 'director': {'iface': 'eth0', 'mtu': 100}} | director.mtu = 100: must be 576..65535",
            "{'version': 1, 'director': {'iface': 'eth0', 'mtu': 9000.5}} | director.mtu = 9000.5: must be an integer",
            "{'version': 1, 'director': {'iface': 'eth0', 'gateway': 'auto'}} | director.gateway: unknown field; allowed fields are iface, netns, mode, egress, gatewayMac, src4, src6, guePort, mtu, floodThreshold",
            // vips
            "{'version': 1, 'vips': [{}]}                    | vips[0].vip: is required",
            "{'version': 1, 'vips': [5]}                     | vips[0] = 5: must be a JSON object {...}",
            "{'version': 1, 'vips': [{'vip': 5}]}            | vips[0].vip = 5: must be a string",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:70000/tcp'}]} | vips[0].vip: bad port 70000 in VIP \"192.0.2.10:70000/tcp\": must be 0..65535 (0 = all ports)",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80'}]} | vips[0].vip: bad VIP \"192.0.2.10:80\": expected ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'weight': 1}]} | vips[0].weight: unknown field; " + "allowed fields are vip, encap, flags, reals, minHealthy, check",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'encap': 'gre'}]} | vips[0].encap: bad encap \"gre\": must be ipip or gue",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'flags': 'no-sport'}]} | vips[0].flags = \"no-sport\": must be a JSON array [...]",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'flags': [1]}]} | vips[0].flags[0] = 1: must be a string",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'flags': ['no-sport', 'sticky']}]} | vips[0].flags[1]: unknown VIP flag \"sticky\": allowed flags are no-sport, no-conntrack, dport-only",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'flags': ['no-sport', 'NO-SPORT']}]} | vips[0].flags[1] = \"NO-SPORT\": flag no-sport is listed twice",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp'}, {'vip': '192.0.2.10:80/TCP'}]} | vips[1].vip = \"192.0.2.10:80/tcp\": VIP 192.0.2.10:80/tcp is listed twice (also vips[0])",
            // reals
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp'}, {'vip': '192.0.2.11:80/tcp', 'reals': [{'address': '198.51.100.2', 'weight': -3}]}]} | vips[1].reals[0].weight = -3: weight must be 0..65535",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2', 'weight': 65536}]}]} | vips[0].reals[0].weight = 65536: weight must be 0..65535",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2', 'weight': 10000000000}]}]} | vips[0].reals[0].weight = 10000000000: weight must be 0..65535",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2', 'weight': 1.5}]}]} | vips[0].reals[0].weight = 1.5: must be an integer",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'weight': 1}]}]} | vips[0].reals[0].address: is required",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': 'backend1'}]}]} | vips[0].reals[0].address: bad real address \"backend1\": expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2', 'wieght': 2}]}]} | vips[0].reals[0].wieght: unknown field; allowed fields are address, weight",
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '2001:db8::2'}, {'address': '198.51.100.3'}, {'address': '2001:DB8:0::2'}]}]} | vips[0].reals[2].address = \"2001:db8::2\": real 2001:db8::2 is listed twice in VIP 192.0.2.10:80/tcp (also reals[0])",
            "{'version': 1, 'vips': [{'vip': '[2001:db8::10]:443/udp', 'reals': [{'address': '2001:db8::2'}, {'address': '198.51.100.2'}]}]} | vips[0].reals[1].address = \"198.51.100.2\": encap ipip cannot carry IPv6 VIP [2001:db8::10]:443/udp to IPv4 real 198.51.100.2 (no IPv6 in IPv4 IPIP): use --encap gue",
            // capacity
            "{'version': 1, 'sizes': {'maxVips': 1}, 'vips': [{'vip': '192.0.2.10:80/tcp'}, {'vip': '192.0.2.10:443/tcp'}]} | vips: 2 VIPs, more than sizes.maxVips = 1; raise sizes.maxVips or remove VIPs",
            "{'version': 1, 'sizes': {'maxReals': 2}, 'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2'}]}, {'vip': '192.0.2.10:443/tcp', 'reals': [{'address': '198.51.100.3'}]}]} | vips: 2 distinct real addresses, more than sizes.maxReals - 1 = 1 (real id 0 is reserved); raise sizes.maxReals or remove reals",
            // realservers
            "{'version': 1, 'realservers': [{'iface': 'eth0'}]} | realservers[0].vips = []: at least one VIP address is needed",
            "{'version': 1, 'realservers': [{'iface': 'eth0', 'vips': ['192.0.2.10:80/tcp']}]} | realservers[0].vips[0]: bad VIP address \"192.0.2.10:80/tcp\": expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "{'version': 1, 'realservers': [{'iface': 'eth0', 'vips': ['192.0.2.10', '192.0.2.10']}]} | realservers[0].vips[1] = \"192.0.2.10\": listed twice (also vips[0])",
            "{'version': 1, 'realservers': [{'iface': 'eth0', 'vips': ['192.0.2.10'], 'guePort': 70000}]} | realservers[0].guePort = 70000: must be 1..65535",
            "{'version': 1, 'realservers': [{'iface': 'eth0', 'vips': ['192.0.2.10'], 'port': 6080}]} | realservers[0].port: unknown field; allowed fields are iface, netns, vips, guePort, mode",
            "{'version': 1, 'realservers': [{'iface': 'eth0', 'netns': 'rs1', 'vips': ['192.0.2.10']}, {'iface': 'eth0', 'netns': 'rs1', 'vips': ['192.0.2.11']}]} | realservers[1].iface = \"eth0\": interface eth0 (netns rs1) is listed twice (also realservers[0])",
            "{'version': 1, 'director': {'iface': 'eth0', 'netns': 'lb'}, 'realservers': [{'iface': 'eth0', 'netns': 'lb', 'vips': ['192.0.2.10']}]} | realservers[0].iface = \"eth0\": interface eth0 (netns lb) is the director's interface; an interface has one XDP program",
            // minHealthy and bgp
            "{'version': 1, 'vips': [{'vip': '192.0.2.10:80/tcp', 'minHealthy': -1}]} | vips[0].minHealthy = -1: must be 0..65535",
            "{'version': 1, 'bgp': {}}                       | bgp.localAsn: is required",
            "{'version': 1, 'bgp': {'localAsn': 0, 'peers': [{'address': '192.0.2.1', 'asn': 1}]}} | bgp.localAsn = 0: must be an AS number 1..4294967295",
            "{'version': 1, 'bgp': {'localAsn': 4294967296, 'peers': [{'address': '192.0.2.1', 'asn': 1}]}} | bgp.localAsn = 4294967296: must be an AS number 1..4294967295",
            "{'version': 1, 'bgp': {'localAsn': 64513}}      | bgp.peers: at least one peer is required",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'holdTime': 2, 'peers': [{'address': '192.0.2.1', 'asn': 1}]}} | bgp.holdTime = 2: must be 0 or 3..65535 seconds (RFC 4271)",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'routerId': '2001:db8::1', 'peers': [{'address': '192.0.2.1', 'asn': 1}]}} | bgp.routerId: bad router id \"2001:db8::1\": must be an IPv4 address, e.g. 192.0.2.1",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'speaker': 'bird -d', 'peers': [{'address': '192.0.2.1', 'asn': 1}]}} | bgp.speaker = \"bird -d\": must be a program name or path without spaces",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'peers': [{'address': 'router1', 'asn': 1}]}} | bgp.peers[0].address: bad peer address \"router1\": expected an IPv4 or IPv6 literal (no host names), e.g. 198.51.100.2 or 2001:db8::2",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'peers': [{'address': '192.0.2.1'}]}} | bgp.peers[0].asn: is required",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'peers': [{'address': '192.0.2.1', 'asn': 1, 'nextHop': '2001:db8::5'}]}} | bgp.peers[0].nextHop = \"2001:db8::5\": must be an IPv4 address like the peer's (192.0.2.1)",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'peers': [{'address': '192.0.2.1', 'asn': 1}, {'address': '192.0.2.1', 'asn': 2}]}} | bgp.peers[1].address = \"192.0.2.1\": peer 192.0.2.1 is listed twice (also peers[0])",
            "{'version': 1, 'bgp': {'localAsn': 64513, 'peer': '192.0.2.1'}} | bgp.peer: unknown field; allowed fields are localAsn, holdTime, routerId, speaker, peers",
    })
    void everyValidationErrorNamesPathAndValue(String json, String message) {
        assertEquals("config file /x.json: " + message, error(json.replace('\'', '"')));
    }

    @Test
    void longValuesAreShortenedToKeepOneLine() {
        String longName = "x".repeat(200);
        String message = error("{\"version\": 1, \"director\": {\"iface\": \"eth0\", \"netns\": 5, \"mode\": [\"" + longName + "\"]}}");
        assertEquals("config file /x.json: director.netns = 5: must be a string", message);
        message = error("{\"version\": 1, \"vips\": [{\"vip\": \"192.0.2.10:80/tcp\", \"flags\": {\"a\": \"" + longName + "\"}}]}");
        assertTrue(message.length() < 200, message);
        assertTrue(message.endsWith("...: must be a JSON array [...]"), message);
    }

    @Test
    void nameAndEscapesInValuesStayOnOneLine() {
        assertEquals("config file /x.json: director.iface = \"eth\\n0\": an interface name cannot contain '/', ':', "
                + "'@', spaces or non-ASCII characters", error("{\"version\": 1, \"director\": {\"iface\": \"eth\\n0\"}}"));
    }
}
