package io.nightshift.examples.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Overnight model training with Spark MLlib: a logistic regression on a generated data set of {@code rows} labelled
 * examples (four features drawn from N(0, 1); the label is 1 when {@code 1.5 x1 - 2 x2 + 0.5 x3 + 0.4 noise > 0},
 * x4 is noise only), 80 % to train and 20 % held out. The fitted pipeline is saved to {@code <output>/model}, then
 * loaded back from there and that loaded model scores the held-out rows: {@code <output>/metrics.json} holds
 * {@code {"auc": …, "accuracy": …, "rows": …, "positives": …, "model": "<output>/model"}} ({@code rows}: the held-out
 * rows scored). Prints {@code auc: 0.97…}; fails (exit 1) when the AUC is below {@value #MIN_AUC}, so a model that
 * learnt nothing never counts as a good night's work.
 * <pre>usage: MlTraining &lt;output dir&gt; [rows] [seed]</pre>
 */
public final class MlTraining {
    /** Below this area under the ROC curve the job fails. */
    public static final double MIN_AUC = 0.9;
    static final int DEFAULT_ROWS = 20_000;
    static final long DEFAULT_SEED = 11;

    private MlTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: MlTraining <output dir> [rows] [seed]");
            System.exit(2);
        }
        String out = args[0].replaceAll("/+$", "");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ROWS;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : DEFAULT_SEED;
        SparkSession spark = SparkSession.builder().appName("nightshift-ml-training").getOrCreate();
        double auc;
        try {
            auc = train(spark, out, rows, seed);
        } finally {
            spark.stop();
        }
        if (auc < MIN_AUC) {
            System.err.printf(Locale.ROOT, "auc %.4f is below %.2f: the model is no good%n", auc, MIN_AUC);
            System.exit(1);
        }
    }

    static double train(SparkSession spark, String out, int rows, long seed) throws IOException {
        Dataset<Row>[] split = examples(spark, rows, seed).randomSplit(new double[] {0.8, 0.2}, seed);
        Dataset<Row> training = split[0].cache(), heldOut = split[1].cache();
        VectorAssembler features = new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3", "x4"})
                .setOutputCol("features");
        LogisticRegression lr = new LogisticRegression().setMaxIter(50).setRegParam(0.01);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {features, lr}).fit(training);
        model.write().overwrite().save(out + "/model");
        System.out.println("trained on " + training.count() + " rows; model saved to " + out + "/model");
        PipelineModel loaded = PipelineModel.load(out + "/model"); // what tomorrow's scoring job will load
        System.out.println("loaded the model back from " + out + "/model");
        return score(spark, loaded, heldOut, out + "/model", out + "/metrics.json");
    }

    /** The AUC and accuracy of {@code model} (saved at {@code modelPath}) on {@code data}, printed and written to {@code json}. */
    static double score(SparkSession spark, PipelineModel model, Dataset<Row> data, String modelPath, String json)
            throws IOException {
        Dataset<Row> scored = model.transform(data).cache();
        double auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction")
                .setMetricName("areaUnderROC").evaluate(scored);
        long n = scored.count();
        long right = scored.filter(col("prediction").equalTo(col("label"))).count();
        long positives = scored.filter(col("label").equalTo(1.0)).count();
        String doc = String.format(Locale.ROOT,
                "{\"auc\": %.6f, \"accuracy\": %.6f, \"rows\": %d, \"positives\": %d, \"model\": \"%s\"}%n",
                auc, n == 0 ? 0 : (double) right / n, n, positives, modelPath.replace("\\", "\\\\").replace("\"", "\\\""));
        Path path = new Path(json);
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try (OutputStream o = fs.create(path, true)) {
            o.write(doc.getBytes(StandardCharsets.UTF_8));
        }
        System.out.printf(Locale.ROOT, "auc: %.4f%naccuracy: %.4f%nrows scored: %d%nmetrics written to %s%n", auc,
                n == 0 ? 0 : (double) right / n, n, json);
        return auc;
    }

    /** {@code rows} labelled examples, the same for the same seed. */
    static Dataset<Row> examples(SparkSession spark, int rows, long seed) {
        Dataset<Row> x = spark.range(rows)
                .withColumn("x1", randn(seed)).withColumn("x2", randn(seed + 1)).withColumn("x3", randn(seed + 2))
                .withColumn("x4", randn(seed + 3)).withColumn("noise", randn(seed + 4));
        Column signal = col("x1").multiply(1.5).minus(col("x2").multiply(2.0)).plus(col("x3").multiply(0.5))
                .plus(col("noise").multiply(0.4));
        return x.withColumn("label", when(signal.gt(0), 1.0).otherwise(0.0)).drop("id", "noise");
    }
}
