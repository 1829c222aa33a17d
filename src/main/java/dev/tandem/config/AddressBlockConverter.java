package dev.tandem.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.InetAddressPattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One entry of --trusted-proxies: an IP address or CIDR block, checked and then handed to Jetty's
 * {@link org.eclipse.jetty.util.InetAddressSet} as written. Ours on top of Jetty's parser: only
 * literals (Jetty would resolve a host name, a DNS lookup deciding whom we trust) and a message that
 * says what is wrong. A blank entry converts to null (no entry).
 */
public final class AddressBlockConverter implements ITypeConverter<String> {
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])";
    /** IPv4 in four octets or anything with a colon (IPv6): both parse as literals, never as names. */
    private static final Pattern SHAPE = Pattern.compile("(?<address>" + OCTET + "(?:\\." + OCTET + "){3}"
            + "|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)(?:/(?<prefix>[0-9]{1,3}))?");

    @Override
    public String convert(String text) {
        String block = text.trim();
        if (block.isEmpty()) {
            return null;
        }
        Matcher m = SHAPE.matcher(block);
        if (!m.matches()) {
            throw new TypeConversionException("'" + block + "' is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1)");
        }
        int bits;
        try {
            bits = InetAddress.getByName(m.group("address")).getAddress().length * 8; // a literal: never a lookup
        } catch (UnknownHostException e) {
            throw new TypeConversionException("'" + block + "' is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1)");
        }
        if (m.group("prefix") != null && Integer.parseInt(m.group("prefix")) > bits) {
            throw new TypeConversionException("'" + block + "' has a prefix outside 0-" + bits);
        }
        try {
            InetAddressPattern.from(block);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + block + "' is not a usable block: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        return block;
    }
}
