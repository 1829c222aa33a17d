package dev.tandem.web;

/**
 * Request ids: kept from the balancer when well-formed, otherwise made here ({@link RandomUuids}:
 * the shape of a random UUID, without the process-wide lock {@code UUID.randomUUID()} takes). A
 * request id only has to tell requests apart in logs and not be trivially guessable.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String ATTRIBUTE = "tandem.requestId";
    static final int MIN_LENGTH = 8;
    static final int MAX_LENGTH = 128;

    private RequestIds() {}

    public static String pick(String incoming) {
        return incoming != null && safe(incoming) ? incoming : fresh();
    }

    /** A new id: {@code xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx}, lower-case hex. */
    static String fresh() {
        return RandomUuids.next();
    }

    /** {@code [A-Za-z0-9._:-]{8,128}}, checked without a regex matcher per request. */
    static boolean safe(String id) {
        int n = id.length();
        if (n < MIN_LENGTH || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
