package io.nightshift.connectors.fetch;

import io.nightshift.api.spec.ArtifactRules;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code http} and {@code https} with the JDK's {@link HttpURLConnection}: at most {@code maxRedirects}
 * redirects, each checked again (http/https only, no credentials, {@link AddressPolicy}); resume with
 * {@code Range} where the server answers 206; a connect timeout and a read timeout (the time limit to
 * the response headers, and to each read of the body: a stalled body is also {@link Fetching}'s
 * business). 5xx, 408, 429 and I/O errors are transient; other statuses are permanent.
 *
 * <p>Why not {@code java.net.http.HttpClient}: its {@code InputStream} body hands every 16 KiB buffer
 * from the client's selector thread to the reader through a queue; on loopback that made a cold fetch
 * about 2x slower than reading the socket directly, as {@code HttpURLConnection} does on the caller's
 * thread (see docs/benchmarks.md). Closing a body disconnects (closes the socket), which also breaks a
 * read blocked in another thread: that is how {@link Fetching}'s watchdog stops a stalled download.
 */
public final class HttpFetcher implements Fetcher {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final AddressPolicy addresses;
    private final int maxRedirects;
    private final int connectTimeoutMs;
    private final int responseTimeoutMs;
    private final Duration responseTimeout;

    public HttpFetcher(AddressPolicy addresses, int maxRedirects, Duration connectTimeout, Duration responseTimeout) {
        this.addresses = addresses;
        this.maxRedirects = maxRedirects;
        this.connectTimeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        this.responseTimeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, responseTimeout.toMillis()));
        this.responseTimeout = responseTimeout;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public Optional<String> version(URI uri) throws FetchException {
        HttpURLConnection c = send(uri, "HEAD", 0);
        try {
            return Optional.ofNullable(versionOf(c));
        } finally {
            c.disconnect();
        }
    }

    @Override
    public Download open(URI uri, long from) throws FetchException {
        HttpURLConnection c = send(uri, "GET", from);
        int status = status(uri, c);
        if (status == 416 && from > 0) { // our offset is past the end: the content changed; start over
            c.disconnect();
            return open(uri, 0);
        }
        InputStream body;
        try {
            body = new Body(c.getInputStream(), c);
        } catch (IOException e) {
            c.disconnect();
            throw FetchException.transientError(uri.toString(), "connection failed: " + e, e);
        }
        if (status == 206) {
            Matcher m = CONTENT_RANGE.matcher(Objects.requireNonNullElse(c.getHeaderField("Content-Range"), ""));
            if (!m.matches() || Long.parseLong(m.group(1)) != from) {
                c.disconnect();
                throw FetchException.transientError(uri.toString(), "the server answered a range we did not ask for", null);
            }
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            return new Download(body, from, total, versionOf(c));
        }
        return new Download(body, 0, c.getContentLengthLong(), versionOf(c));
    }

    /** Sends the request, following redirects; returns a 2xx response (or 416 for a range) or throws. */
    private HttpURLConnection send(URI first, String method, long from) throws FetchException {
        URI uri = first;
        for (int hop = 0; ; hop++) {
            addresses.check(uri);
            HttpURLConnection c;
            try {
                c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
                c.setInstanceFollowRedirects(false);
                c.setUseCaches(false);
                c.setConnectTimeout(connectTimeoutMs);
                c.setReadTimeout(responseTimeoutMs);
                c.setRequestMethod(method);
                c.setRequestProperty("Accept-Encoding", "identity");
                if (from > 0) c.setRequestProperty("Range", "bytes=" + from + "-");
            } catch (IOException | IllegalArgumentException e) {
                throw FetchException.permanent(first.toString(), "cannot open: " + e.getMessage());
            }
            int status = status(first, c);
            if (status / 100 == 2 || (status == 416 && from > 0)) return c;
            String location = c.getHeaderField("Location");
            drain(c);
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                if (hop >= maxRedirects)
                    throw FetchException.permanent(first.toString(), "more than %d redirects".formatted(maxRedirects));
                uri = redirect(first, uri, location);
                continue;
            }
            String what = "HTTP " + status + (hop > 0 ? " from " + ArtifactRules.redact(uri.toString()) : "");
            if (status >= 500 || status == 408 || status == 429)
                throw FetchException.transientError(first.toString(), what, null);
            throw FetchException.permanent(first.toString(), what + (status == 404 ? " (not found)"
                    : status == 401 || status == 403 ? " (access denied)" : ""));
        }
    }

    /** Connects and reads the status line and headers. */
    private int status(URI first, HttpURLConnection c) throws FetchException {
        try {
            int status = c.getResponseCode();
            if (status < 0) {
                c.disconnect();
                throw FetchException.transientError(first.toString(), "not an HTTP response", null);
            }
            return status;
        } catch (SocketTimeoutException e) {
            c.disconnect();
            throw FetchException.transientError(first.toString(), "no response within " + responseTimeout, e);
        } catch (IOException e) {
            c.disconnect();
            throw FetchException.transientError(first.toString(), "connection failed: " + e, e);
        }
    }

    /** Drops a response we do not read (error or redirect bodies): the socket is closed, not reused. */
    private static void drain(HttpURLConnection c) {
        c.disconnect();
    }

    private static URI redirect(URI first, URI current, String location) throws FetchException {
        if (location == null) throw FetchException.permanent(first.toString(), "a redirect without a Location");
        URI next;
        try {
            next = current.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw FetchException.permanent(first.toString(), "a redirect to an invalid URI");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https"))
            throw FetchException.permanent(first.toString(), "refused a redirect to scheme '" + scheme + "'");
        String problem = ArtifactRules.uriProblem(next.toString(), true);
        if (problem != null) throw FetchException.permanent(first.toString(), "refused a redirect: the target " + problem);
        return next;
    }

    private static String versionOf(HttpURLConnection c) {
        String etag = c.getHeaderField("ETag");
        if (etag != null && !etag.startsWith("W/")) return "etag:" + etag;
        String modified = c.getHeaderField("Last-Modified");
        long length = c.getContentLengthLong();
        int status;
        try {
            status = c.getResponseCode();
        } catch (IOException e) {
            return null;
        }
        if (modified != null && length >= 0 && status == 200) return "modified:" + modified + ";length:" + length;
        return null;
    }

    /** The body; closing it closes the connection (also from another thread, breaking a blocked read). */
    private static final class Body extends FilterInputStream {
        private final HttpURLConnection c;

        Body(InputStream in, HttpURLConnection c) {
            super(in);
            this.c = c;
        }

        @Override
        public void close() {
            c.disconnect();
        }
    }
}
