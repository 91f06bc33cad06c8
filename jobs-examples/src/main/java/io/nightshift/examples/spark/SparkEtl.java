package io.nightshift.examples.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_timestamp;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark ETL: reads events (CSV with a header, or JSON lines) with columns {@code ts} (ISO timestamp), {@code user}
 * and {@code amount}, drops rows without a timestamp or user, and writes Parquet partitioned by {@code date} (the
 * day of {@code ts}). Prints {@code rows in: N}, {@code rows out: N} and {@code date D: N} for each day, so the
 * task's log says what it did.
 *
 * <pre>usage: SparkEtl &lt;input (hdfs://…, s3a://…, file:…; .csv or .json)&gt; &lt;output dir&gt;</pre>
 */
public final class SparkEtl {
    private SparkEtl() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: SparkEtl <input .csv or .json> <output dir>");
            System.exit(2);
        }
        String input = args[0], output = args[1];
        SparkSession spark = SparkSession.builder().appName("nightshift-spark-etl").getOrCreate();
        try {
            Dataset<Row> raw = input.endsWith(".json")
                    ? spark.read().json(input)
                    : spark.read().option("header", "true").csv(input);
            long in = raw.count();
            Dataset<Row> clean = raw
                    .withColumn("ts", to_timestamp(col("ts")))
                    .withColumn("amount", col("amount").cast("double"))
                    .filter(col("ts").isNotNull().and(col("user").isNotNull()))
                    .withColumn("date", to_date(col("ts")));
            clean.cache();
            long out = clean.count();
            clean.write().mode(SaveMode.Overwrite).partitionBy("date").parquet(output);
            System.out.println("rows in: " + in);
            System.out.println("rows out: " + out);
            List<Row> perDay = clean.groupBy("date").count().orderBy("date").collectAsList();
            for (Row r : perDay) System.out.println("date " + r.get(0) + ": " + r.getLong(1));
            System.out.println("parquet written to " + output);
        } finally {
            spark.stop();
        }
    }
}
