package io.nightshift.coordinator.simulation;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The simulator's charts, each as PNG and SVG (XChart, headless). */
final class Charts {

    private Charts() {
    }

    /** Writes utilization.{png,svg}, shares.{png,svg} and wait-times.{png,svg} into {@code dir}; returns the file names. */
    static List<String> write(Path dir, double[] hours, double[] cpuUtil, double[] memUtil, Map<String, double[]> shares,
            Map<String, double[]> ideals, double[] waitSeconds) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();

        XYChart util = new XYChartBuilder().width(900).height(500).title("Cluster utilization")
                .xAxisTitle("simulated hours").yAxisTitle("% of cluster").build();
        util.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        line(util, "cpus", hours, percent(cpuUtil), false);
        line(util, "memory", hours, percent(memUtil), false);
        save(util, dir, "utilization", files);

        XYChart share = new XYChartBuilder().width(900).height(500).title("Dominant share per queue vs DRF's ideal (dashed)")
                .xAxisTitle("simulated hours").yAxisTitle("% dominant share").build();
        share.getStyler().setYAxisMin(0.0);
        for (Map.Entry<String, double[]> e : shares.entrySet()) {
            line(share, e.getKey(), hours, percent(e.getValue()), false);
            line(share, e.getKey() + " ideal", hours, percent(ideals.get(e.getKey())), true);
        }
        save(share, dir, "shares", files);

        CategoryChart waits = new CategoryChartBuilder().width(900).height(500).title("Wait time (submit to start)")
                .xAxisTitle("seconds, upper bound of bin").yAxisTitle("tasks").build();
        waits.getStyler().setLegendVisible(false);
        waits.getStyler().setXAxisLabelRotation(45);
        List<String> labels = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        histogram(waitSeconds, labels, counts);
        waits.addSeries("tasks", labels, counts);
        save(waits, dir, "wait-times", files);
        return files;
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, boolean dashed) {
        XYSeries s = chart.addSeries(name, x.length == 0 ? new double[]{0} : x, y.length == 0 ? new double[]{0} : y);
        s.setMarker(SeriesMarkers.NONE);
        if (dashed) s.setLineStyle(SeriesLines.DASH_DASH);
    }

    private static double[] percent(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] * 100;
        return out;
    }

    /** Bins by powers of two seconds: ≤1, ≤2, ≤4 … so short and long waits both show. */
    private static void histogram(double[] waits, List<String> labels, List<Integer> counts) {
        double max = 1;
        for (double w : waits) max = Math.max(max, w);
        int bins = Math.max(1, (int) Math.ceil(Math.log(max) / Math.log(2)) + 1);
        int[] c = new int[bins];
        for (double w : waits) c[Math.min(bins - 1, w <= 1 ? 0 : (int) Math.ceil(Math.log(w) / Math.log(2)))]++;
        for (int i = 0; i < bins; i++) {
            labels.add(Long.toString(1L << i));
            counts.add(c[i]);
        }
    }

    private static void save(Chart<?, ?> chart, Path dir, String name, List<String> files) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(name).toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        files.add(name + ".png");
        files.add(name + ".svg");
    }
}
