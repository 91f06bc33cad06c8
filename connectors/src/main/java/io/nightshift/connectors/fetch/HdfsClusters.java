package io.nightshift.connectors.fetch;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * The HDFS clusters one agent knows, from its configuration, never from a spec: each is a directory with its
 * {@code core-site.xml} (and {@code hdfs-site.xml}); its {@code fs.defaultFS} names it. {@code hdfs:///path} goes
 * to the first cluster; {@code hdfs://nn:8020/path} to the cluster whose {@code fs.defaultFS} has that authority,
 * and is refused when none has. File systems are opened as {@code user} when set (simple authentication), else
 * as the process's user, once per cluster. Used by the artifact fetcher and by the Kafka sink.
 */
public final class HdfsClusters implements AutoCloseable {
    private final Map<String, Configuration> clusters = new LinkedHashMap<>();
    private final Map<String, FileSystem> open = new LinkedHashMap<>();
    private final String user;

    public HdfsClusters(List<Path> confDirs, String user) throws IOException {
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

    /** Thrown when {@code uri} names no configured cluster: a permanent error, its message says which are known. */
    public static final class UnknownClusterException extends IOException {
        UnknownClusterException(String message) {
            super(message);
        }
    }

    /** The file system of the cluster {@code uri} names, opened on first use. */
    public synchronized FileSystem fileSystem(URI uri) throws IOException {
        String authority = uri.getAuthority() == null ? null : uri.getAuthority().toLowerCase(Locale.ROOT);
        if (clusters.isEmpty())
            throw new UnknownClusterException("this agent has no HDFS cluster configured (agent.fetch.hdfs.conf-dirs)");
        String key = authority == null ? clusters.keySet().iterator().next() : authority;
        Configuration conf = clusters.get(key);
        if (conf == null)
            throw new UnknownClusterException("no HDFS cluster '%s' is configured on this agent; known: %s"
                    .formatted(authority, String.join(", ", clusters.keySet())));
        FileSystem fs = open.get(key);
        if (fs == null) {
            URI root = URI.create("hdfs://" + key + "/");
            if (user != null) {
                UserGroupInformation ugi = UserGroupInformation.createRemoteUser(user);
                try {
                    fs = ugi.doAs((PrivilegedExceptionAction<FileSystem>) () -> FileSystem.newInstance(root, conf));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while opening " + root);
                }
            } else {
                fs = FileSystem.newInstance(root, conf);
            }
            open.put(key, fs);
        }
        return fs;
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
