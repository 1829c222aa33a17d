package dev.tandem.web;

import java.util.UUID;
import java.util.regex.Pattern;

/** Request ids: kept from the balancer when well-formed, otherwise made here. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String ATTRIBUTE = "tandem.requestId";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{8,128}");

    private RequestIds() {}

    public static String pick(String incoming) {
        return incoming != null && SAFE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
    }
}
