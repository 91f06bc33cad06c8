package io.nightshift.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/** Reads a Parquet file back with parquet-hadoop (local or HDFS, whichever the path names). */
final class ParquetRows {
    private ParquetRows() {
    }

    static List<Group> read(Path file, Configuration conf) throws IOException {
        List<Group> rows = new ArrayList<>();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            for (Group g = r.read(); g != null; g = r.read()) rows.add(g);
        }
        return rows;
    }
}
