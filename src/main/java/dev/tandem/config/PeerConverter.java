package dev.tandem.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.HostPort;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One member of --peers, {@code HOST[:PORT]}, parsed by Jetty's {@link HostPort} (brackets, IPv6
 * literals, the port's range). A missing port stays missing here; {@link ConfigLoader} fills in
 * --cluster-port. Names are never resolved: a peer that is not up yet must not stop this node.
 * A blank member converts to null (see {@link ConfigLoader} for what a blank list means).
 */
public final class PeerConverter implements ITypeConverter<HostPort> {
    static final String FORMAT = "a member is HOST[:PORT] (a host name, an IPv4 address or an IPv6 address"
            + " in [brackets]; PORT 1-65535, default --cluster-port), e.g. app2,10.0.0.3:7800,[fd00::4]:7800";

    /**
     * The shape of a member, checked before Jetty sees it: Jetty logs a warning for every malformed
     * authority, and a typo should give one line, ours. Host names are DNS-style (what JGroups can use).
     */
    private static final Pattern SHAPE = Pattern.compile(
            "(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9_][A-Za-z0-9._-]*|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)(?::(?<port>[0-9]{1,5}))?");

    @Override
    public HostPort convert(String text) {
        String member = text.trim();
        if (member.isEmpty()) {
            return null;
        }
        Matcher m = SHAPE.matcher(member);
        if (!m.matches()) {
            throw new TypeConversionException("'" + member + "' is not HOST[:PORT]; " + FORMAT);
        }
        try {
            if (m.group("port") != null) {
                HostPort.parsePort(m.group("port")); // the range check, without Jetty's warning
            }
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + member + "' has no valid port (1-65535); " + FORMAT);
        }
        String host = member.startsWith("[") ? member.substring(0, member.indexOf(']') + 1)
                : member.indexOf(':') != member.lastIndexOf(':') ? "[" + member + "]" : null;
        if (host != null && !isIpv6Literal(host)) {
            throw new TypeConversionException("'" + member + "' is not HOST[:PORT] (not an IPv6 address); " + FORMAT);
        }
        try {
            return new HostPort(member);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + member + "' is not HOST[:PORT] (" + e.getMessage() + "); " + FORMAT);
        }
    }

    /** Checked before Jetty does (it would log a warning); a bracketed literal is parsed, never looked up. */
    private static boolean isIpv6Literal(String bracketed) {
        try {
            InetAddress.getByName(bracketed);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
