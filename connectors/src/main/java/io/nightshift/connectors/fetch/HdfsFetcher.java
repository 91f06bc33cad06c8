package io.nightshift.connectors.fetch;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * {@code hdfs://[cluster]/path} through Hadoop's shaded client ({@code hadoop-client-api} +
 * {@code hadoop-client-runtime}). The clusters come from the agent's configuration, never from the
 * spec: each is a directory with its {@code core-site.xml} (and {@code hdfs-site.xml}); its
 * {@code fs.defaultFS} names it. {@code hdfs:///path} goes to the first cluster; {@code hdfs://nn:8020/path}
 * to the cluster whose {@code fs.defaultFS} has that authority, and is refused when none has. Files are
 * read as {@code user} when set (simple authentication), else as the agent's user.
 */
public final class HdfsFetcher implements Fetcher, AutoCloseable {
    private final Map<String, Configuration> clusters = new LinkedHashMap<>();
    private final Map<String, FileSystem> open = new LinkedHashMap<>();
    private final String user;

    public HdfsFetcher(List<Path> confDirs, String user) throws IOException {
        for (Path dir : confDirs) {
            Configuration conf = new Configuration();
            boolean any = false;
            for (String f : List.of("core-site.xml", "hdfs-site.xml")) {
                Path p = dir.resolve(f);
                if (Files.isRegularFile(p)) {
                    conf.addResource(new org.apache.hadoop.fs.Path(p.toUri()));
                    any = true;
                }
            }
            if (!any) throw new IOException("HDFS configuration directory " + dir + " has no core-site.xml or hdfs-site.xml");
            URI fs = URI.create(conf.get("fs.defaultFS", ""));
            if (!"hdfs".equalsIgnoreCase(fs.getScheme()) || fs.getAuthority() == null)
                throw new IOException("HDFS configuration " + dir + ": fs.defaultFS must be hdfs://<namenode or nameservice>");
            clusters.putIfAbsent(fs.getAuthority().toLowerCase(Locale.ROOT), conf);
        }
        this.user = user;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("hdfs");
    }

    private synchronized FileSystem fs(URI uri) throws FetchException {
        String authority = uri.getAuthority() == null ? null : uri.getAuthority().toLowerCase(Locale.ROOT);
        if (clusters.isEmpty())
            throw FetchException.permanent(uri.toString(), "this agent has no HDFS cluster configured (agent.fetch.hdfs.conf-dirs)");
        String key = authority == null ? clusters.keySet().iterator().next() : authority;
        Configuration conf = clusters.get(key);
        if (conf == null)
            throw FetchException.permanent(uri.toString(), "no HDFS cluster '%s' is configured on this agent; known: %s"
                    .formatted(authority, String.join(", ", clusters.keySet())));
        FileSystem fs = open.get(key);
        if (fs == null) {
            try {
                URI root = URI.create("hdfs://" + key + "/");
                if (user != null) {
                    UserGroupInformation ugi = UserGroupInformation.createRemoteUser(user);
                    fs = ugi.doAs((PrivilegedExceptionAction<FileSystem>) () -> FileSystem.newInstance(root, conf));
                } else {
                    fs = FileSystem.newInstance(root, conf);
                }
            } catch (IOException e) {
                throw FetchException.transientError(uri.toString(), "cannot reach HDFS: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw FetchException.permanent(uri.toString(), "interrupted");
            }
            open.put(key, fs);
        }
        return fs;
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
    public synchronized void close() {
        for (FileSystem fs : open.values()) {
            try {
                fs.close();
            } catch (IOException e) {
                // closing
            }
        }
        open.clear();
    }
}
