package dev.tandem.web;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Believes X-Forwarded-For/-Proto (and no other forwarding header) only from the balancers in
 * --trusted-proxies; from anyone else
 * the headers are ignored, so a client cannot fake HTTPS (and get a non-Secure cookie path) or an address.
 */
public final class TrustedProxyCustomizer implements HttpConfiguration.Customizer {
    private final InetAddressSet trusted = new InetAddressSet();
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    /** Who may set X-Forwarded-* when nothing else is said: this host only (the jar's --trusted-proxies default). */
    public static final String DEFAULT = "127.0.0.0/8,::1";

    public TrustedProxyCustomizer(InetAddressSet trusted) {
        this.trusted.addAll(trusted); // a copy: the set is mutable
        // Only what the balancer sets (X-Forwarded-For, X-Forwarded-Proto) is believed, even from a
        // trusted address: every other header Jetty would honour is off, so no local process or
        // misconfigured hop can claim HTTPS, another host, port or TLS session through them.
        forwarded.setForwardedHeader(null);
        forwarded.setForwardedHostHeader(null);
        forwarded.setForwardedServerHeader(null);
        forwarded.setForwardedPortHeader(null);
        forwarded.setForwardedHttpsHeader(null);
        forwarded.setForwardedCipherSuiteHeader(null);
        forwarded.setForwardedSslSessionIdHeader(null);
    }

    /**
     * For a WAR node's Jetty (etc/tandem-sessions.xml): addresses and CIDR blocks, comma-separated,
     * {@link #DEFAULT} when blank. The webapp checks the same value with the jar's rules at deploy.
     */
    public static TrustedProxyCustomizer fromList(String csv) {
        InetAddressSet set = new InetAddressSet();
        for (String entry : (csv == null || csv.isBlank() ? DEFAULT : csv).split(",")) {
            if (!entry.isBlank()) {
                set.add(entry.trim());
            }
        }
        return new TrustedProxyCustomizer(set);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null
                && trusted.test(inet.getAddress())) {
            return forwarded.customize(request, responseHeaders);
        }
        return request;
    }
}
