package io.nightshift.examples.spark;

import org.apache.spark.sql.SparkSession;

/**
 * A Spark application whose main fails after the session started: the task ends FAILED and its log shows the
 * driver's error ({@code IllegalStateException: no input partitions for <date>}).
 */
public final class FailingSparkJob {
    private FailingSparkJob() {
    }

    public static void main(String[] args) {
        String date = args.length > 0 ? args[0] : "today";
        SparkSession spark = SparkSession.builder().appName("nightshift-failing").getOrCreate();
        try {
            long n = spark.range(10).count();
            System.out.println("counted " + n + " rows, now failing on purpose");
            throw new IllegalStateException("no input partitions for " + date);
        } finally {
            spark.stop();
        }
    }
}
