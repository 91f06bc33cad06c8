package io.nightshift.coordinator.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of every route: the {@code Host} a request names must be one this coordinator answers to
 * (an IP address, localhost, this machine's names, {@code coordinator.http.allowed-hosts}), so a page
 * on another site cannot reach it through DNS rebinding; a browser request that changes something
 * must come from this origin; and every answer carries headers that keep the dashboard from being
 * framed, sniffed or made to load foreign code. No CORS headers are ever sent, so browsers refuse
 * other origins' scripts the answers.
 */
final class Hardening {
    private static final Logger log = LoggerFactory.getLogger(Hardening.class);
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private final Set<String> allowed = new HashSet<>();
    private final boolean anyHost;

    /** {@code bindHost}: coordinator.host; {@code extra}: coordinator.http.allowed-hosts (comma-separated, {@code *} = any). */
    Hardening(String bindHost, String extra) {
        Set<String> names = new HashSet<>(Arrays.asList("localhost", bindHost.toLowerCase(Locale.ROOT)));
        try {
            InetAddress me = InetAddress.getLocalHost();
            names.add(me.getHostName().toLowerCase(Locale.ROOT));
            names.add(me.getCanonicalHostName().toLowerCase(Locale.ROOT));
        } catch (Exception e) {
            log.debug("cannot name this machine: {}", e.toString());
        }
        boolean any = false;
        for (String h : extra.split(",")) {
            String t = h.trim().toLowerCase(Locale.ROOT);
            if (t.equals("*")) any = true;
            else if (!t.isEmpty()) names.add(t);
        }
        allowed.addAll(names);
        anyHost = any;
    }

    void handle(RoutingContext ctx) {
        var resp = ctx.response();
        resp.putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Security-Policy", CSP);
        String host = ctx.request().getHeader("Host");
        String name = hostName(host);
        if (name != null && !anyHost && !allowed.contains(name) && !ipLiteral(name)) {
            log.warn("refused {} {}: Host '{}' is not a name of this coordinator", ctx.request().method(), ctx.request().path(),
                    HttpApi.shorten(host));
            Problems.send(ctx, 421, "host-not-allowed", "Host not allowed", "this coordinator does not answer to '"
                    + HttpApi.shorten(name) + "'; add it to coordinator.http.allowed-hosts");
            return;
        }
        HttpMethod m = ctx.request().method();
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS && !sameOrigin(origin, host)) {
            log.warn("refused {} {}: cross-origin request from '{}'", m, ctx.request().path(), HttpApi.shorten(origin));
            Problems.send(ctx, 403, "origin-not-allowed", "Cross-origin request refused",
                    "requests that change something must come from this coordinator's own pages");
            return;
        }
        ctx.next();
    }

    /** The host part of a Host header, lower-case, without port or IPv6 brackets; null when absent. */
    static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) return null;
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    static boolean ipLiteral(String name) {
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (name.contains(":") && name.matches("[0-9a-f:.]+"));
    }

    /** True when {@code origin} (scheme://host[:port]) names the same host and port as the Host header. */
    static boolean sameOrigin(String origin, String hostHeader) {
        if (hostHeader == null) return false;
        try {
            URI o = URI.create(origin.trim());
            if (o.getHost() == null) return false;
            String hostPort = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            String h = hostHeader.trim().toLowerCase(Locale.ROOT);
            int defaultPort = "https".equalsIgnoreCase(o.getScheme()) ? 443 : 80;
            return hostPort.equalsIgnoreCase(h) || (o.getHost() + ":" + defaultPort).equalsIgnoreCase(h)
                    || (o.getPort() == defaultPort && o.getHost().equalsIgnoreCase(h));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
