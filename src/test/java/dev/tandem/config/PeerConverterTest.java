package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import org.eclipse.jetty.util.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** One --peers member, HOST[:PORT], as Jetty's HostPort (was HostPortTest). */
class PeerConverterTest {
    /** The member as the node will use it: host and port, the port defaulting to 7800. */
    private static String parse(String member) {
        HostPort p = new PeerConverter().convert(member);
        return p.getHost() + " " + p.getPort(7800);
    }

    @Test
    void aBareHostGetsTheDefaultPort() {
        assertThat(parse(" app1 ")).isEqualTo("app1 7800");
    }

    @Test
    void hostColonPortIsSplit() {
        assertThat(parse("10.0.0.1:7801")).isEqualTo("10.0.0.1 7801");
    }

    @Test
    void bracketedIpv6WithAndWithoutPortIsUnderstood() {
        assertThat(parse("[::1]:7801")).isEqualTo("[::1] 7801");
        assertThat(parse("[fd00::2]")).isEqualTo("[fd00::2] 7800");
    }

    @Test
    void bareIpv6IsAHostWithTheDefaultPort() {
        assertThat(parse("fd00::2")).isEqualTo("[fd00::2] 7800");
    }

    @Test
    void aNameIsNeverResolvedWhileParsing() {
        assertThat(parse("no-such-host.invalid:7801")).isEqualTo("no-such-host.invalid 7801");
    }

    @Test
    void itPrintsBackForHumansAndForJGroups() {
        assertThat(new HostPort("::1", 7801)).hasToString("[::1]:7801");
        assertThat(new HostPort("app1", 7800)).hasToString("app1:7800");
        NodeConfig c = NodeConfig.standalone("n1").withCluster("127.0.0.1", 7800,
                List.of(new HostPort("app1", 7800), new HostPort("::1", 7801)), "tandem");
        assertThat(c.jgroupsInitialHosts()).isEqualTo("app1[7800],[::1][7801]");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"a:0", "a:65536", "a:x", "a:", "[::1", "[::1]:0", "[::1]x", "bad host", "a/b:1"})
    void malformedMembersAreRefusedExplainingTheFormat(String member) {
        assertThatThrownBy(() -> new PeerConverter().convert(member))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("'" + member.trim() + "' ")
                .hasMessageContaining("HOST[:PORT]");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"a:0", "a:65536", "a:x", "a:", "[::1", "[::1]:0", "[::1]x", " ", "bad host", "a/b:1"})
    void malformedMembersAreRefusedNamingTheOption(String member) {
        String list = "app1," + member;
        assertThatThrownBy(() -> new ConfigLoader(new HashMap<>(), () -> "h").load("--peers", list, "--cluster-host", "127.0.0.1"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid --peers: ");
    }
}
