package io.nightshift.connectors.sink;

import io.nightshift.connectors.fetch.HdfsClusters;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * An HDFS directory ({@code hdfs://[cluster]/dir}, the cluster from the agent's configuration). A file is copied
 * from the local staging directory to {@code .inprogress-<name>} next to its final name, closed (HDFS has it on
 * every replica the write pipeline holds once close returns), then renamed (atomic on HDFS).
 */
public final class HdfsSinkTarget implements SinkTarget {
    private final URI uri;
    private final Path staging;
    private final HdfsClusters clusters;
    private final FileSystem fs;
    private final org.apache.hadoop.fs.Path dir;

    public HdfsSinkTarget(URI uri, Path staging, HdfsClusters clusters) throws IOException {
        this.uri = uri;
        this.staging = staging;
        this.clusters = clusters;
        this.fs = clusters.fileSystem(uri);
        this.dir = new org.apache.hadoop.fs.Path(uri.getPath());
        Files.createDirectories(staging);
        fs.mkdirs(dir);
    }

    @Override
    public Path staging() {
        return staging;
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (s.isFile() && name.startsWith(prefix)) names.add(name);
        }
        return names;
    }

    @Override
    public void delete(String name) throws IOException {
        fs.delete(new org.apache.hadoop.fs.Path(dir, name), false);
    }

    @Override
    public void publish(Path local, String name) throws IOException {
        org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(dir, ".inprogress-" + name);
        org.apache.hadoop.fs.Path finished = new org.apache.hadoop.fs.Path(dir, name);
        fs.copyFromLocalFile(true, true, new org.apache.hadoop.fs.Path(local.toUri()), temp);
        // A file of the same name holds the same records (the name is the offset range): replace it.
        fs.delete(finished, false);
        if (!fs.rename(temp, finished)) throw new IOException("HDFS refused to rename " + temp + " to " + finished);
    }

    @Override
    public String location() {
        return uri.toString();
    }

    @Override
    public void close() {
        clusters.close();
    }
}
