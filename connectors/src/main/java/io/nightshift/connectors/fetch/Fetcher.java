package io.nightshift.connectors.fetch;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one URI scheme's content. Implementations only open streams; retries, resume, the size cap,
 * the stall timeout and the checksum are {@link Fetching}'s, the same for every scheme. Thread-safe.
 */
public interface Fetcher {
    /** The lower-case schemes served (e.g. {@code http, https}). */
    Set<String> schemes();

    /**
     * What identifies the content behind {@code uri} now (ETag, or length and modification time), for
     * the cache's lookup by URI; empty when the source cannot tell (then the content is downloaded and
     * found by its digest). Cheap: one HEAD or stat.
     */
    Optional<String> version(URI uri) throws FetchException;

    /**
     * The content from byte {@code from} on. A source that cannot resume returns a {@link Download}
     * starting at 0. Throws {@link FetchException} classified transient or permanent.
     */
    Download open(URI uri, long from) throws FetchException;

    /**
     * An open body. {@code from}: the offset of its first byte; {@code total}: the content's whole
     * length, or -1 when unknown; {@code version}: as {@link #version}, or null.
     */
    record Download(InputStream body, long from, long total, String version) implements Closeable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
