package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesAndPortalsTest {

    @ParameterizedTest
    @CsvSource({"1073741824,1073741824", "512K,524288", "512M,536870912", "10G,10737418240", "1T,1099511627776",
        "1g,1073741824", "10GiB,10737418240", "4096B,4096", "2 G,2147483648"})
    void sizes(String text, long bytes) throws ConfigException {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12Q", "G", "-1G", "1.5G", "0", "0G", "10iB", "9223372036854775807K", "99999999999999999999"})
    void badSizes(String text) {
        assertThrows(ConfigException.class, () -> Sizes.parse(text));
    }

    @Test
    void formatUsesTheLargestWholeUnit() {
        assertEquals("1 GiB", Sizes.format(1L << 30));
        assertEquals("1536 MiB", Sizes.format(1536L << 20));
        assertEquals("2 TiB", Sizes.format(2L << 40));
        assertEquals("1000 bytes", Sizes.format(1000));
    }

    @Test
    void portals() throws Exception {
        assertEquals(new InetSocketAddress("0.0.0.0", 3260), Portals.parse("0.0.0.0:3260"));
        assertEquals(new InetSocketAddress("127.0.0.1", 3260), Portals.parse("127.0.0.1"), "port defaults to 3260");
        assertEquals(new InetSocketAddress("127.0.0.1", 0), Portals.parse("127.0.0.1:0"));
        InetSocketAddress v6 = Portals.parse("[::1]:3270");
        assertEquals(InetAddress.getByName("::1"), v6.getAddress());
        assertEquals(3270, v6.getPort());
        assertEquals(InetAddress.getByName("::"), Portals.parse("[::]").getAddress());
        assertEquals("[0:0:0:0:0:0:0:1]:3270", Portals.format(v6));
        assertEquals("127.0.0.1:3260", Portals.format(new InetSocketAddress("127.0.0.1", 3260)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "::1", "[::1", "[::1]3260", "host:", "host:x", "host:-1", "host:65536", ":3260", "[]:3260"})
    void badPortals(String text) {
        assertThrows(ConfigException.class, () -> Portals.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"iqn.2026-11.org.vaaitarget:disk0", "iqn.1992-01.com.example", "iqn.2001-04.com.example:storage:diskarrays-sn-a8675309",
        "iqn.2001-04.com.example.storage:tape1.sys1.xyz", "eui.02004567A425678D", "naa.52004567BA64678D",
        "naa.62004567BA64678D0123456789ABCDEF"})
    void goodNames(String name) throws ConfigException {
        assertEquals(name, IscsiNames.requireValid(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "disk0", "iqn.", "iqn.2026-1.org.example", "iqn.2026-00.org.example", "iqn.2026-11",
        "iqn.2026-11.org..example", "iqn.2026-11.-org.example", "iqn.2026-11.org.example:a b", "IQN.2026-11.org.example",
        "eui.02004567A425678", "eui.02004567A425678G", "naa.1234", "naa.52004567BA64678D00"})
    void badNames(String name) {
        assertThrows(ConfigException.class, () -> IscsiNames.requireValid(name));
    }

    @Test
    void nameLongerThan223BytesIsRefused() {
        String name = "iqn.2026-11.org.example:" + "a".repeat(200);
        ConfigException e = assertThrows(ConfigException.class, () -> IscsiNames.requireValid(name));
        assertEquals("'" + name + "' is longer than 223 bytes (RFC 7143 4.2.7.1)", e.getMessage());
    }
}
