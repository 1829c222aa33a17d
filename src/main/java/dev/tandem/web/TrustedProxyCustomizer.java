package dev.tandem.web;

import dev.tandem.config.Cidr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Believes X-Forwarded-For/-Proto only from the balancers in --trusted-proxies; from anyone else
 * the headers are ignored, so a client cannot fake HTTPS (and get a non-Secure cookie path) or an address.
 */
public final class TrustedProxyCustomizer implements HttpConfiguration.Customizer {
    private final List<Cidr> trusted;
    private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

    public TrustedProxyCustomizer(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null
                && trusted.stream().anyMatch(c -> c.contains(inet.getAddress()))) {
            return forwarded.customize(request, responseHeaders);
        }
        return request;
    }
}
