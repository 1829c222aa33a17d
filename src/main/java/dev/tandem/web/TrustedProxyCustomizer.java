package dev.tandem.web;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Believes X-Forwarded-For/-Proto (and RFC 7239 Forwarded) only from the balancers in
 * --trusted-proxies; from anyone else the headers are ignored, so a client cannot fake HTTPS (and get
 * a non-Secure cookie path) or an address. No other forwarding header is believed from anyone.
 */
public final class TrustedProxyCustomizer implements HttpConfiguration.Customizer {
    private final InetAddressSet trusted = new InetAddressSet();
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    /** Who may set X-Forwarded-* when nothing else is said: this host only (the jar's --trusted-proxies default). */
    public static final String DEFAULT = "127.0.0.0/8,::1";

    public TrustedProxyCustomizer(InetAddressSet trusted) {
        this.trusted.addAll(trusted); // a copy: the set is mutable
        // Even a trusted proxy is believed only for what the node needs: the client's address and
        // scheme (X-Forwarded-For/-Proto, or RFC 7239 Forwarded). Jetty would also take HTTPS from
        // X-Proxied-Https, Proxy-Ssl-Id or Proxy-auth-cert, and host and port from X-Forwarded-Host,
        // -Server and -Port: headers a balancer passes through unless it strips them.
        forwarded.setForwardedHttpsHeader(null);
        forwarded.setForwardedSslSessionIdHeader(null);
        forwarded.setForwardedCipherSuiteHeader(null);
        forwarded.setForwardedHostHeader(null);
        forwarded.setForwardedServerHeader(null);
        forwarded.setForwardedPortHeader(null);
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
