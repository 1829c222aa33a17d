package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * A session cookie that cannot be one of ours (wrong characters, absurd length) is answered with a
 * 400 before any resource runs, so it never creates or touches a session. Well-formed but unknown
 * ids are fine: they simply find no session.
 */
public final class SessionIdGuardFilter extends HttpFilter {
    static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}(\\.[A-Za-z0-9_-]{1,63})?");
    private final ObjectMapper mapper;

    public SessionIdGuardFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if ("JSESSIONID".equals(c.getName()) && !SESSION_ID.matcher(c.getValue()).matches()) {
                    Refusals.send(mapper, req, res, 400, "bad_session_id", "the JSESSIONID cookie is not a valid session id");
                    return;
                }
            }
        }
        chain.doFilter(req, res);
    }
}
