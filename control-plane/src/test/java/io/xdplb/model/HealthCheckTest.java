package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HealthCheckTest {
    @Test
    void defaultsAreCloseToKeepalived() {
        HealthCheck c = HealthCheck.parse("tcp");
        assertEquals(HealthCheck.Kind.TCP, c.kind());
        assertEquals(2000, c.intervalMs());
        assertEquals(1000, c.timeoutMs());
        assertEquals(2, c.rise());
        assertEquals(3, c.fall());
        assertEquals(0, c.port());
        assertEquals("tcp,port=0,interval=2s,timeout=1s,rise=2,fall=3", c.format());
    }

    @Test
    void httpTakesPathStatusRangeAndHost() {
        HealthCheck c = HealthCheck.parse("http,path=/healthz,expect=200-299,host=www.example,interval=500ms,timeout=250ms,port=8080");
        assertEquals("/healthz", c.path());
        assertEquals(200, c.expectLow());
        assertEquals(299, c.expectHigh());
        assertEquals("www.example", c.host());
        assertEquals(500, c.intervalMs());
        assertEquals(250, c.timeoutMs());
        assertEquals(8080, c.port());
        assertEquals(c, HealthCheck.parse(c.format()), "the canonical form reads back");
        assertEquals(204, HealthCheck.parse("http,expect=204").expectHigh());
        assertEquals("/", HealthCheck.parse("http").path());
        assertEquals(1500, HealthCheck.parse("tcp,interval=1.5s").intervalMs());
    }

    @Test
    void udpSendsAPayload() {
        assertEquals("ping", HealthCheck.parse("udp,payload=ping").payload());
        assertEquals("", HealthCheck.parse("udp").payload());
    }

    @Test
    void badChecksAreOneClearLine() {
        assertEquals("bad --check \"ftp\": kind = \"ftp\": must be tcp, http, udp or none",
                assertThrows(UserError.class, () -> HealthCheck.parse("ftp")).getMessage());
        assertEquals("bad --check \"tcp,path=/\": path: unknown for a tcp check; allowed: port, interval, timeout, rise, fall",
                assertThrows(UserError.class, () -> HealthCheck.parse("tcp,path=/")).getMessage());
        assertEquals("bad --check \"tcp,interval=2\": interval = \"2\": must be a duration such as 2s, 1.5s or 500ms",
                assertThrows(UserError.class, () -> HealthCheck.parse("tcp,interval=2")).getMessage());
        assertEquals("bad --check \"tcp,interval=1s,timeout=2s\": timeout = 2s: must be 10ms..the interval (1s)",
                assertThrows(UserError.class, () -> HealthCheck.parse("tcp,interval=1s,timeout=2s")).getMessage());
        assertEquals("bad --check \"tcp,fall=0\": fall = 0: must be 1..100",
                assertThrows(UserError.class, () -> HealthCheck.parse("tcp,fall=0")).getMessage());
        assertEquals("bad --check \"http,expect=299-200\": expect = 299-200: must be a status or range within 100-599",
                assertThrows(UserError.class, () -> HealthCheck.parse("http,expect=299-200")).getMessage());
        assertEquals("bad --check \"http,path=x\": path = \"x\": must start with / and have no spaces or control characters",
                assertThrows(UserError.class, () -> HealthCheck.parse("http,path=x")).getMessage());
        assertEquals("bad --check \"tcp,rise\": rise: expected KEY=VALUE, e.g. interval=2s",
                assertThrows(UserError.class, () -> HealthCheck.parse("tcp,rise")).getMessage());
        assertEquals("bad --check \"none,port=1\": port: a none check takes no settings",
                assertThrows(UserError.class, () -> HealthCheck.parse("none,port=1")).getMessage());
    }

    @Test
    void aCheckMustFitItsVip() {
        Vip udp = Vip.parse("203.0.113.10:53/udp");
        Vip all = Vip.parse("203.0.113.10:0/tcp");
        assertThrows(Invalid.class, () -> new VipConfig(udp, Encap.IPIP, Set.of(), List.of(), 1, HealthCheck.parse("tcp")));
        assertThrows(Invalid.class, () -> new VipConfig(all, Encap.IPIP, Set.of(), List.of(), 1, HealthCheck.parse("tcp")));
        new VipConfig(all, Encap.IPIP, Set.of(), List.of(), 1, HealthCheck.parse("tcp,port=80"));
        new VipConfig(udp, Encap.IPIP, Set.of(), List.of(), 1, HealthCheck.parse("udp"));
    }

    @Test
    void theConfigurationFileHoldsTheCheck() {
        String text = """
                {"version": 1, "vips": [{"vip": "203.0.113.10:80/tcp",
                  "check": {"kind": "http", "path": "/healthz", "interval": "1s", "fall": 2}}]}""";
        Config c = ConfigJson.parse(text, "t.json");
        HealthCheck hc = c.vips().getFirst().check();
        assertEquals("http,port=0,interval=1s,timeout=1s,rise=2,fall=2,path=/healthz,expect=200-399", hc.format());
        assertEquals(c, ConfigJson.parse(ConfigJson.write(c), "again"), "written and read back");
        UserError e = assertThrows(UserError.class, () -> ConfigJson.parse("""
                {"version": 1, "vips": [{"vip": "203.0.113.10:80/tcp", "check": {"kind": "http", "rise": 0}}]}""", "t.json"));
        assertEquals("config file t.json: vips[0].check.rise = 0: must be 1..100", e.getMessage());
    }
}
