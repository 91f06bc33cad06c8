package io.nightshift.connectors.fetch;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.AccessControlException;

/**
 * {@code hdfs://[cluster]/path} through Hadoop's shaded client ({@code hadoop-client-api} +
 * {@code hadoop-client-runtime}). The clusters come from the agent's configuration, never from the
 * spec: each is a directory with its {@code core-site.xml} (and {@code hdfs-site.xml}); its
 * {@code fs.defaultFS} names it. {@code hdfs:///path} goes to the first cluster; {@code hdfs://nn:8020/path}
 * to the cluster whose {@code fs.defaultFS} has that authority, and is refused when none has. Files are
 * read as {@code user} when set (simple authentication), else as the agent's user.
 */
public final class HdfsFetcher implements Fetcher, AutoCloseable {
    private final HdfsClusters clusters;

    public HdfsFetcher(List<Path> confDirs, String user) throws IOException {
        this.clusters = new HdfsClusters(confDirs, user);
    }

    @Override
    public Set<String> schemes() {
        return Set.of("hdfs");
    }

    private FileSystem fs(URI uri) throws FetchException {
        try {
            return clusters.fileSystem(uri);
        } catch (HdfsClusters.UnknownClusterException e) {
            throw FetchException.permanent(uri.toString(), e.getMessage());
        } catch (IOException e) {
            throw FetchException.transientError(uri.toString(), "cannot reach HDFS: " + e.getMessage(), e);
        }
    }

    private static org.apache.hadoop.fs.Path path(URI uri) {
        return new org.apache.hadoop.fs.Path(uri.getPath());
    }

    @Override
    public Optional<String> version(URI uri) throws FetchException {
        try {
            FileStatus s = fs(uri).getFileStatus(path(uri));
            if (!s.isFile()) throw FetchException.permanent(uri.toString(), "not a file");
            return Optional.of("length:" + s.getLen() + ";mtime:" + s.getModificationTime());
        } catch (IOException e) {
            throw classify(uri, e);
        }
    }

    @Override
    public Download open(URI uri, long from) throws FetchException {
        FileSystem fs = fs(uri);
        try {
            FileStatus s = fs.getFileStatus(path(uri));
            if (!s.isFile()) throw FetchException.permanent(uri.toString(), "not a file");
            FSDataInputStream in = fs.open(path(uri));
            long start = Math.min(from, s.getLen());
            if (start > 0) in.seek(start);
            return new Download(in, start, s.getLen(), "length:" + s.getLen() + ";mtime:" + s.getModificationTime());
        } catch (IOException e) {
            throw classify(uri, e);
        }
    }

    private static FetchException classify(URI uri, IOException e) {
        if (e instanceof FileNotFoundException) return FetchException.permanent(uri.toString(), "no such file on HDFS");
        if (e instanceof AccessControlException) return FetchException.permanent(uri.toString(), "access denied by HDFS");
        return FetchException.transientError(uri.toString(), "HDFS read failed: " + e.getClass().getSimpleName(), e);
    }

    @Override
    public void close() {
        clusters.close();
    }
}
