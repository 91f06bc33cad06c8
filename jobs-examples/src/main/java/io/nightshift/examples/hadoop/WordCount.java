package io.nightshift.examples.hadoop;

import java.io.IOException;
import java.util.Locale;
import java.util.StringTokenizer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.Reducer;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;

/**
 * The MapReduce word count: words are runs of letters and digits, lower-cased; output lines {@code word<TAB>count}
 * in {@code part-r-*} files of the output directory. A {@link Tool}, so {@code -D k=v} options (a hadoop job's
 * {@code conf}) apply. Prints the job's counters at the end.
 *
 * <pre>usage: WordCount [-D k=v ...] &lt;input&gt; &lt;output dir&gt;</pre>
 */
public final class WordCount extends Configured implements Tool {

    public static final class TokenMapper extends Mapper<Object, Text, Text, IntWritable> {
        private static final IntWritable ONE = new IntWritable(1);
        private final Text word = new Text();

        @Override
        protected void map(Object key, Text value, Context ctx) throws IOException, InterruptedException {
            StringTokenizer t = new StringTokenizer(value.toString().toLowerCase(Locale.ROOT), " \t\n\r\f.,;:!?\"'()[]{}<>-_/\\*=+|&#@$%^~`");
            while (t.hasMoreTokens()) {
                word.set(t.nextToken());
                ctx.write(word, ONE);
            }
        }
    }

    public static final class SumReducer extends Reducer<Text, IntWritable, Text, IntWritable> {
        private final IntWritable sum = new IntWritable();

        @Override
        protected void reduce(Text key, Iterable<IntWritable> values, Context ctx) throws IOException, InterruptedException {
            int s = 0;
            for (IntWritable v : values) s += v.get();
            sum.set(s);
            ctx.write(key, sum);
        }
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: WordCount [-D k=v ...] <input> <output dir>");
            return 2;
        }
        Job job = Job.getInstance(getConf(), "nightshift-wordcount");
        job.setJarByClass(WordCount.class);
        job.setMapperClass(TokenMapper.class);
        job.setCombinerClass(SumReducer.class);
        job.setReducerClass(SumReducer.class);
        job.setOutputKeyClass(Text.class);
        job.setOutputValueClass(IntWritable.class);
        FileInputFormat.addInputPath(job, new Path(args[0]));
        FileOutputFormat.setOutputPath(job, new Path(args[1]));
        boolean ok = job.waitForCompletion(true);
        System.out.println("wordcount " + (ok ? "succeeded" : "failed") + ": output in " + args[1]);
        return ok ? 0 : 1;
    }

    public static void main(String[] args) throws Exception {
        System.exit(ToolRunner.run(new Configuration(), new WordCount(), args));
    }
}
