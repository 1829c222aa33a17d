package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import org.eclipse.jetty.util.InetAddressSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --trusted-proxies entries, checked by us and matched by Jetty's InetAddressSet (was CidrTest). */
class AddressBlockConverterTest {
    private static boolean contains(String block, String address) throws IOException {
        InetAddressSet set = new InetAddressSet();
        set.add(new AddressBlockConverter().convert(block));
        return set.test(InetAddress.getByName(address));
    }

    @Test
    void anIpv4BlockContainsItsAddressesOnly() throws IOException {
        assertThat(contains("10.0.0.0/8", "10.200.3.4")).isTrue();
        assertThat(contains("10.0.0.0/8", "11.0.0.1")).isFalse();
        assertThat(contains("192.168.1.0/24", "192.168.1.77")).isTrue();
        assertThat(contains("192.168.1.0/24", "192.168.2.1")).isFalse();
    }

    @Test
    void aPrefixInsideAByteMasksOnlyItsBits() throws IOException {
        assertThat(contains("10.0.0.0/12", "10.15.255.255")).isTrue();
        assertThat(contains("10.0.0.0/12", "10.16.0.0")).isFalse();
    }

    @Test
    void aBareAddressIsASingleHostAndZeroPrefixIsEverything() throws IOException {
        assertThat(contains("127.0.0.1", "127.0.0.1")).isTrue();
        assertThat(contains("127.0.0.1", "127.0.0.2")).isFalse();
        assertThat(contains("0.0.0.0/0", "203.0.113.9")).isTrue();
    }

    @Test
    void ipv6BlocksWorkAndNeverMatchIpv4() throws IOException {
        assertThat(contains("::1", "::1")).isTrue();
        assertThat(contains("fe80::/10", "fe80::1234")).isTrue();
        assertThat(contains("fe80::/10", "fec0::1")).isFalse();
        assertThat(contains("::/0", "127.0.0.1")).isFalse();
        assertThat(contains("0.0.0.0/0", "::1")).isFalse();
        assertThat(new AddressBlockConverter().convert(" fd00::/8 ")).as("kept as written, trimmed").isEqualTo("fd00::/8");
    }

    @Test
    void aBlankEntryIsNoEntry() {
        assertThat(new AddressBlockConverter().convert(" ")).isNull();
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/x", "example.com", "10.0.0.0/",
                            "10.1.0.0/8", "1.2.3.400", "cafe"})
    void badBlocksAreRefusedNamingTheOption(String block) {
        assertThatThrownBy(() -> new ConfigLoader(new HashMap<>(), () -> "h").load("--trusted-proxies", block))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid --trusted-proxies: '" + block + "'");
    }
}
