package io.nightshift.examples.spark;

import org.apache.spark.sql.SparkSession;

/**
 * A Spark application that runs one small job, prints {@code ready}, then waits {@code args[0]} seconds (default
 * 3600) with its SparkContext up: what a long driver looks like to Nightshift's kill and max-runtime handling.
 */
public final class SparkSleeper {
    private SparkSleeper() {
    }

    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 3600;
        SparkSession spark = SparkSession.builder().appName("nightshift-sleeper").getOrCreate();
        try {
            System.out.println("counted " + spark.range(1000).count() + " rows");
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(seconds * 1000);
        } finally {
            spark.stop();
        }
    }
}
