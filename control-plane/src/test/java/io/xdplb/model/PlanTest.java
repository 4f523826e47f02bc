package io.xdplb.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanTest {
    private static Config config(String json) {
        return ConfigJson.parse("{\"version\": 1, " + json.replace('\'', '"') + "}", "test");
    }

    private static List<String> lines(Config from, Config to) {
        return Plan.between(from, to).lines();
    }

    @Test
    void sameConfigIsNothingToDo() throws Exception {
        Config c = ConfigJson.parse(ConfigJsonTest.docExample(), "doc");
        Plan p = Plan.between(c, c);
        assertTrue(p.isEmpty());
        assertEquals("nothing to do", p.text());
        assertEquals("[]", p.toJson().toString());
        assertTrue(Plan.between(Config.EMPTY, Config.EMPTY).isEmpty());
    }

    @Test
    void addVipWithReals() {
        Config to = config("'vips': [{'vip': '192.0.2.10:80/tcp', 'encap': 'gue', 'flags': ['no-sport'], "
                + "'reals': [{'address': '198.51.100.3', 'weight': 2}, {'address': '198.51.100.2'}]}]");
        assertEquals(List.of(
                "+ vip 192.0.2.10:80/tcp encap=gue flags=no-sport",
                "+ real 192.0.2.10:80/tcp 198.51.100.2 weight=1",
                "+ real 192.0.2.10:80/tcp 198.51.100.3 weight=2"), lines(Config.EMPTY, to));
        Plan p = Plan.between(Config.EMPTY, to);
        assertEquals(new Change.VipAdded(to.vips().getFirst()), p.changes().getFirst());
        assertEquals("{\"action\":\"add\",\"kind\":\"vip\",\"vip\":\"192.0.2.10:80/tcp\",\"encap\":\"gue\",\"flags\":[\"no-sport\"],\"minHealthy\":1,"
                + "\"check\":{\"kind\":\"none\"}}",
                p.toJson().get(0).toString());
        assertEquals("{\"action\":\"add\",\"kind\":\"real\",\"vip\":\"192.0.2.10:80/tcp\",\"address\":\"198.51.100.3\",\"weight\":2}",
                p.toJson().get(2).toString());
    }

    @Test
    void removeVipListsItsRealsFirst() {
        Config from = config("'vips': [{'vip': '[2001:db8::10]:443/udp', 'encap': 'gue', 'reals': [{'address': '198.51.100.2'}]},"
                + "{'vip': '192.0.2.10:80/tcp'}]");
        Config to = config("'vips': [{'vip': '192.0.2.10:80/tcp'}]");
        assertEquals(List.of("- real [2001:db8::10]:443/udp 198.51.100.2", "- vip [2001:db8::10]:443/udp"), lines(from, to));
        assertEquals("{\"action\":\"remove\",\"kind\":\"vip\",\"vip\":\"[2001:db8::10]:443/udp\"}",
                Plan.between(from, to).toJson().get(1).toString());
    }

    @Test
    void changedVipAndRealsInOrderRemoveWeightAdd() {
        Config from = config("'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2'}, "
                + "{'address': '198.51.100.4'}, {'address': '198.51.100.3', 'weight': 5}]}]");
        Config to = config("'vips': [{'vip': '192.0.2.10:80/tcp', 'encap': 'gue', 'flags': ['no-sport', 'no-conntrack'], "
                + "'reals': [{'address': '198.51.100.2', 'weight': 0}, {'address': '198.51.100.3', 'weight': 5}, "
                + "{'address': '198.51.100.5'}]}]");
        assertEquals(List.of(
                "~ vip 192.0.2.10:80/tcp encap ipip -> gue, flags none -> no-sport,no-conntrack",
                "- real 192.0.2.10:80/tcp 198.51.100.4",
                "~ real 192.0.2.10:80/tcp 198.51.100.2 weight 1 -> 0",
                "+ real 192.0.2.10:80/tcp 198.51.100.5 weight=1"), lines(from, to));
        JsonNode json = Plan.between(from, to).toJson();
        assertEquals("{\"action\":\"change\",\"kind\":\"vip\",\"vip\":\"192.0.2.10:80/tcp\","
                + "\"encap\":{\"from\":\"ipip\",\"to\":\"gue\"},"
                + "\"flags\":{\"from\":[],\"to\":[\"no-sport\",\"no-conntrack\"]}}", json.get(0).toString());
        assertEquals("{\"action\":\"change\",\"kind\":\"real\",\"vip\":\"192.0.2.10:80/tcp\",\"address\":\"198.51.100.2\","
                + "\"weight\":{\"from\":1,\"to\":0}}", json.get(2).toString());
        // and back
        assertEquals(List.of(
                "~ vip 192.0.2.10:80/tcp encap gue -> ipip, flags no-sport,no-conntrack -> none",
                "- real 192.0.2.10:80/tcp 198.51.100.5",
                "~ real 192.0.2.10:80/tcp 198.51.100.2 weight 0 -> 1",
                "+ real 192.0.2.10:80/tcp 198.51.100.4 weight=1"), lines(to, from));
    }

    @Test
    void onlyFlagsChanged() {
        Config from = config("'vips': [{'vip': '192.0.2.10:80/tcp', 'flags': ['dport-only']}]");
        Config to = config("'vips': [{'vip': '192.0.2.10:80/tcp'}]");
        assertEquals(List.of("~ vip 192.0.2.10:80/tcp flags dport-only -> none"), lines(from, to));
        assertEquals("{\"action\":\"change\",\"kind\":\"vip\",\"vip\":\"192.0.2.10:80/tcp\","
                + "\"flags\":{\"from\":[\"dport-only\"],\"to\":[]}}", Plan.between(from, to).toJson().get(0).toString());
    }

    @Test
    void directorAttachDetachChangeAndMove() {
        Config none = Config.EMPTY;
        Config a = config("'director': {'iface': 'eth0', 'netns': 'lb', 'src4': '192.0.2.1'}");
        Config b = config("'director': {'iface': 'eth0', 'netns': 'lb', 'src4': '192.0.2.2', 'mode': 'generic', "
                + "'egress': 'eth1', 'mtu': 9000}");
        Config moved = config("'director': {'iface': 'eth2', 'netns': 'lb', 'src4': '192.0.2.1'}");
        assertEquals(List.of("+ director eth0 netns=lb mode=native gateway-mac=auto src4=192.0.2.1 gue-port=6080 mtu=1500 flood-threshold=125000"),
                lines(none, a));
        assertEquals(List.of("- director eth0 netns=lb"), lines(a, none));
        assertEquals(List.of("~ director eth0 netns=lb mode native -> generic, egress none -> eth1, src4 192.0.2.1 -> 192.0.2.2, "
                + "mtu 1500 -> 9000"), lines(a, b));
        assertEquals(List.of("- director eth0 netns=lb",
                "+ director eth2 netns=lb mode=native gateway-mac=auto src4=192.0.2.1 gue-port=6080 mtu=1500 flood-threshold=125000"), lines(a, moved));
        assertEquals("{\"action\":\"change\",\"kind\":\"director\",\"iface\":\"eth0\",\"netns\":\"lb\","
                        + "\"mode\":{\"from\":\"native\",\"to\":\"generic\"},\"egress\":{\"from\":null,\"to\":\"eth1\"},"
                        + "\"src4\":{\"from\":\"192.0.2.1\",\"to\":\"192.0.2.2\"},\"mtu\":{\"from\":1500,\"to\":9000}}",
                Plan.between(a, b).toJson().get(0).toString());
        assertEquals("add", Plan.between(none, a).toJson().get(0).get("action").asText());
        assertEquals("192.0.2.1", Plan.between(none, a).toJson().get(0).get("director").get("src4").asText());
    }

    @Test
    void sizesChange() {
        Config to = config("'sizes': {'ringSize': 16381, 'maxVips': 512}");
        assertEquals(List.of("~ sizes maxVips 64 -> 512, ringSize 65537 -> 16381"), lines(Config.EMPTY, to));
        assertEquals("{\"action\":\"change\",\"kind\":\"sizes\",\"maxVips\":{\"from\":64,\"to\":512},"
                + "\"ringSize\":{\"from\":65537,\"to\":16381}}", Plan.between(Config.EMPTY, to).toJson().get(0).toString());
    }

    @Test
    void realServersAddedRemovedChanged() {
        Config from = config("'realservers': [{'iface': 'eth0', 'netns': 'rs1', 'vips': ['192.0.2.10']},"
                + "{'iface': 'eth0', 'netns': 'rs2', 'vips': ['192.0.2.10']}]");
        Config to = config("'realservers': [{'iface': 'eth0', 'netns': 'rs1', 'vips': ['192.0.2.10', '2001:db8::10'], 'guePort': 7000},"
                + "{'iface': 'eth0', 'netns': 'rs3', 'vips': ['192.0.2.10']}, {'iface': 'eth9', 'vips': ['192.0.2.10']}]");
        assertEquals(List.of(
                "- realserver eth0 netns=rs2",
                "~ realserver eth0 netns=rs1 vips 192.0.2.10 -> 192.0.2.10,2001:db8::10, gue-port 6080 -> 7000",
                "+ realserver eth9 vips=192.0.2.10 gue-port=6080",
                "+ realserver eth0 netns=rs3 vips=192.0.2.10 gue-port=6080"), lines(from, to));
        JsonNode json = Plan.between(from, to).toJson();
        assertEquals("{\"action\":\"change\",\"kind\":\"realserver\",\"iface\":\"eth0\",\"netns\":\"rs1\","
                + "\"vips\":{\"from\":[\"192.0.2.10\"],\"to\":[\"192.0.2.10\",\"2001:db8::10\"]},"
                + "\"guePort\":{\"from\":6080,\"to\":7000}}", json.get(1).toString());
    }

    @Test
    void wholeOrderFreesBeforeItAddsAndAttachesLast() {
        Config from = config("'sizes': {'ringSize': 16381}, 'director': {'iface': 'eth0', 'netns': 'lb'},"
                + "'vips': [{'vip': '192.0.2.20:53/udp', 'reals': [{'address': '198.51.100.9'}]},"
                + "         {'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2'}]}],"
                + "'realservers': [{'iface': 'eth0', 'netns': 'rs9', 'vips': ['192.0.2.20']}]");
        Config to = config("'sizes': {'ringSize': 65537}, 'director': {'iface': 'eth1', 'netns': 'lb', 'src4': '192.0.2.1'},"
                + "'vips': [{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2', 'weight': 0}]},"
                + "         {'vip': '[2001:db8::10]:443/udp', 'encap': 'gue', 'reals': [{'address': '2001:db8:1::2'}]}],"
                + "'realservers': [{'iface': 'eth0', 'netns': 'rs1', 'vips': ['192.0.2.10']}]");
        assertEquals(List.of(
                "~ sizes ringSize 16381 -> 65537",
                "- director eth0 netns=lb",
                "- realserver eth0 netns=rs9",
                "- real 192.0.2.20:53/udp 198.51.100.9",
                "- vip 192.0.2.20:53/udp",
                "~ real 192.0.2.10:80/tcp 198.51.100.2 weight 1 -> 0",
                "+ vip [2001:db8::10]:443/udp encap=gue",
                "+ real [2001:db8::10]:443/udp 2001:db8:1::2 weight=1",
                "+ director eth1 netns=lb mode=native gateway-mac=auto src4=192.0.2.1 gue-port=6080 mtu=1500 flood-threshold=125000",
                "+ realserver eth0 netns=rs1 vips=192.0.2.10 gue-port=6080"), lines(from, to));
        assertEquals(String.join("\n", lines(from, to)), Plan.between(from, to).text());
    }

    @Test
    void applyingThePlanStepsReachesTheTarget() {
        // A model executor: replaying the steps on the current config must give the desired one.
        Config from = config("'vips': [{'vip': '192.0.2.20:53/udp', 'reals': [{'address': '198.51.100.9'}]},"
                + "{'vip': '192.0.2.10:80/tcp', 'reals': [{'address': '198.51.100.2'}, {'address': '198.51.100.4'}]}]");
        Config to = config("'vips': [{'vip': '192.0.2.10:80/tcp', 'flags': ['no-sport'], "
                + "'reals': [{'address': '198.51.100.2', 'weight': 3}, {'address': '198.51.100.5'}]},"
                + "{'vip': '[2001:db8::10]:443/udp', 'encap': 'gue', 'reals': [{'address': '198.51.100.2'}]}]");
        Config c = from;
        for (Change ch : Plan.between(from, to).changes()) {
            c = switch (ch) {
                case Change.VipAdded a -> c.withVip(VipConfig.of(a.vip().vip(), a.vip().encap(), a.vip().flags()));
                case Change.VipRemoved r -> c.withoutVip(r.vip().vip());
                case Change.VipChanged v -> c.withVip(c.requireVip(v.vip()).withSettings(v.toEncap(), v.toFlags()));
                case Change.RealAdded r -> c.withReal(r.vip(), r.real());
                case Change.RealRemoved r -> c.withoutReal(r.vip(), r.real().address());
                case Change.RealWeightChanged w -> c.withReal(w.vip(), new Real(w.address(), w.to()));
                default -> throw new AssertionError(ch);
            };
        }
        assertEquals(to, c);
    }
}
