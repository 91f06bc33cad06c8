package io.nightshift.connectors.fetch;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One {@link Fetcher} per scheme; fails fast on a clash; an unknown scheme is a clear, permanent failure. */
public final class FetcherRegistry {
    private final Map<String, Fetcher> byScheme = new TreeMap<>();

    public FetcherRegistry(Collection<? extends Fetcher> fetchers) {
        for (Fetcher f : fetchers) {
            for (String scheme : f.schemes()) {
                String s = scheme.toLowerCase(Locale.ROOT);
                Fetcher earlier = byScheme.putIfAbsent(s, f);
                if (earlier != null)
                    throw new IllegalStateException("scheme '%s' registered twice (%s and %s)".formatted(s,
                            earlier.getClass().getSimpleName(), f.getClass().getSimpleName()));
            }
        }
    }

    /** The fetcher of {@code scheme} ({@code s3a} is served by whoever serves {@code s3}). */
    public Fetcher forScheme(String uri, String scheme) throws FetchException {
        String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
        Fetcher f = byScheme.get(s);
        if (f == null && s.equals("s3a")) f = byScheme.get("s3");
        if (f == null)
            throw FetchException.permanent(uri, "no fetcher for scheme '%s' on this agent; it serves: %s".formatted(s,
                    String.join(", ", byScheme.keySet())));
        return f;
    }

    public java.util.Set<String> schemes() {
        return java.util.Collections.unmodifiableSet(byScheme.keySet());
    }
}
