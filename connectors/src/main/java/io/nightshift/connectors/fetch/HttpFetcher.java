package io.nightshift.connectors.fetch;

import io.nightshift.api.spec.ArtifactRules;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code http} and {@code https} with the JDK's client: at most {@code maxRedirects} redirects, each
 * checked again (http/https only, no credentials, {@link AddressPolicy}); resume with {@code Range}
 * where the server answers 206; a connect timeout and a time limit to the response headers (a stalled
 * body is {@link Fetching}'s business). 5xx, 408, 429 and I/O errors are transient; other statuses
 * are permanent.
 */
public final class HttpFetcher implements Fetcher {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final HttpClient client;
    private final AddressPolicy addresses;
    private final int maxRedirects;
    private final Duration responseTimeout;

    public HttpFetcher(AddressPolicy addresses, int maxRedirects, Duration connectTimeout, Duration responseTimeout) {
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.addresses = addresses;
        this.maxRedirects = maxRedirects;
        this.responseTimeout = responseTimeout;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public Optional<String> version(URI uri) throws FetchException {
        HttpResponse<InputStream> r = send(uri, "HEAD", 0);
        try (InputStream ignored = r.body()) {
            if (r.statusCode() / 100 != 2) return Optional.empty();
            return Optional.ofNullable(versionOf(r));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Download open(URI uri, long from) throws FetchException {
        HttpResponse<InputStream> r = send(uri, "GET", from);
        int status = r.statusCode();
        if (status == 416 && from > 0) { // our offset is past the end: the content changed; start over
            close(r);
            return open(uri, 0);
        }
        if (status == 206) {
            Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
            if (!m.matches() || Long.parseLong(m.group(1)) != from) {
                close(r);
                throw FetchException.transientError(uri.toString(), "the server answered a range we did not ask for", null);
            }
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            return new Download(r.body(), from, total, versionOf(r));
        }
        OptionalLong length = r.headers().firstValueAsLong("Content-Length");
        return new Download(r.body(), 0, length.isPresent() ? length.getAsLong() : -1, versionOf(r));
    }

    /** Sends the request, following redirects; returns a 2xx response (or 416 for a range) or throws. */
    private HttpResponse<InputStream> send(URI first, String method, long from) throws FetchException {
        URI uri = first;
        for (int hop = 0; ; hop++) {
            addresses.check(uri);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(responseTimeout)
                    .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept-Encoding", "identity");
            if (from > 0) b.header("Range", "bytes=" + from + "-");
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                throw FetchException.transientError(first.toString(), "no response within " + responseTimeout, e);
            } catch (IOException e) {
                throw FetchException.transientError(first.toString(), "connection failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw FetchException.transientError(first.toString(), "interrupted", e);
            }
            int status = r.statusCode();
            if (status / 100 == 2 || (status == 416 && from > 0)) return r;
            close(r);
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                if (hop >= maxRedirects)
                    throw FetchException.permanent(first.toString(), "more than %d redirects".formatted(maxRedirects));
                uri = redirect(first, uri, r.headers().firstValue("Location").orElse(null));
                continue;
            }
            String what = "HTTP " + status + (hop > 0 ? " from " + ArtifactRules.redact(uri.toString()) : "");
            if (status >= 500 || status == 408 || status == 429)
                throw FetchException.transientError(first.toString(), what, null);
            throw FetchException.permanent(first.toString(), what + (status == 404 ? " (not found)"
                    : status == 401 || status == 403 ? " (access denied)" : ""));
        }
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

    private static String versionOf(HttpResponse<?> r) {
        Optional<String> etag = r.headers().firstValue("ETag");
        if (etag.isPresent() && !etag.get().startsWith("W/")) return "etag:" + etag.get();
        Optional<String> modified = r.headers().firstValue("Last-Modified");
        OptionalLong length = r.headers().firstValueAsLong("Content-Length");
        if (modified.isPresent() && length.isPresent() && r.statusCode() == 200)
            return "modified:" + modified.get() + ";length:" + length.getAsLong();
        return null;
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
