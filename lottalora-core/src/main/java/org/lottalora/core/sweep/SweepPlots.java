package org.lottalora.core.sweep;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.lottalora.core.sweep.IntrinsicDimension.Metric;
import org.lottalora.core.sweep.IntrinsicDimension.RStar;
import org.lottalora.core.sweep.SweepReport.Cell;

/**
 * The sweep's plots, as PNG and SVG (XChart): test accuracy vs rank on a log2 axis with the seed spread as
 * error bars, the full-training level as a dashed line and r* marked; learned beta per layer vs rank; accuracy
 * vs trainable fraction; and, for several init families, a bar chart per family with its spread.
 */
public final class SweepPlots {
  private static final int W = 900;
  private static final int H = 560;

  private SweepPlots() {}

  static void write(Path dir, List<Cell> curve, List<RStar> rstars) throws IOException {
    System.setProperty("java.awt.headless", "true");
    save(accuracyVsRank(curve, rstars), dir.resolve("accuracy_vs_rank"));
    save(betaVsRank(curve), dir.resolve("beta_vs_rank"));
    save(accuracyVsTrainable(curve), dir.resolve("accuracy_vs_trainable"));
    long inits = curve.stream().filter(c -> c.rank() > 0).map(c -> c.group().split(",")[0]).distinct().count();
    long groups = curve.stream().filter(c -> c.rank() > 0).map(Cell::group).distinct().count();
    if (inits > 1) {
      save(byGroup(curve, "Test accuracy by scaffold init family (bars: std over seeds)"),
          dir.resolve("init_families"));
    } else if (groups > 1) {
      save(byGroup(curve, "Test accuracy by setting (bars: std over seeds)"), dir.resolve("by_group"));
    }
  }

  private static void save(Chart<?, ?> chart, Path base) throws IOException {
    org.lottalora.core.util.Charts.save(chart, base);
  }

  private static double log2(int r) {
    return Math.log(r) / Math.log(2);
  }

  private static XYChart xy(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotGridLinesVisible(true);
    c.getStyler().setMarkerSize(7);
    return c;
  }

  private static void rankAxis(XYChart c) {
    c.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
      double p = Math.rint(v);
      return Math.abs(v - p) < 1e-6 ? Long.toString(Math.round(Math.pow(2, p))) : "";
    });
    c.getStyler().setXAxisDecimalPattern("0.##");
  }

  static XYChart accuracyVsRank(List<Cell> curve, List<RStar> rstars) {
    XYChart c = xy("Test accuracy vs LoRA rank (mean over seeds, bars: std)", "rank r (log2 scale)",
        "test accuracy");
    rankAxis(c);
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    Map<String, List<Cell>> groups = groups(curve);
    for (List<Cell> cells : groups.values()) {
      for (Cell cell : cells) {
        minX = Math.min(minX, log2(cell.rank()));
        maxX = Math.max(maxX, log2(cell.rank()));
      }
    }
    for (Map.Entry<String, List<Cell>> g : groups.entrySet()) {
      List<Cell> cells = g.getValue();
      double[] x = cells.stream().mapToDouble(cell -> log2(cell.rank())).toArray();
      double[] y = cells.stream().mapToDouble(Cell::accMean).toArray();
      double[] err = cells.stream().mapToDouble(Cell::accStd).toArray();
      XYSeries s = c.addSeries(g.getKey(), x, y, err);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    for (Cell full : curve) {
      if (full.rank() == 0 && minX <= maxX) {
        XYSeries s = c.addSeries(full.group() + String.format(Locale.ROOT, " (%.4f)", full.accMean()),
            new double[] {minX, maxX}, new double[] {full.accMean(), full.accMean()});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
      }
    }
    for (RStar r : rstars) {
      if (r.metric() != Metric.ACCURACY || r.ofMean() == null) {
        continue;
      }
      Cell at = groups.getOrDefault(r.group(), List.of()).stream().filter(cell -> cell.rank() == r.ofMean())
          .findFirst().orElse(null);
      if (at != null) {
        XYSeries s = c.addSeries(String.format(Locale.ROOT, "r*(%.1f pt) = %d, %s", 100 * r.eps(), r.ofMean(),
            r.group()), new double[] {log2(at.rank())}, new double[] {at.accMean()});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.DIAMOND);
      }
    }
    return c;
  }

  static XYChart betaVsRank(List<Cell> curve) {
    XYChart c = xy("Learned beta per layer vs rank (mean over seeds)", "rank r (log2 scale)", "beta");
    rankAxis(c);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    for (Map.Entry<String, List<Cell>> g : groups(curve).entrySet()) {
      Map<String, List<double[]>> byLayer = new LinkedHashMap<>();
      for (Cell cell : g.getValue()) {
        cell.betas().forEach((layer, b) -> byLayer.computeIfAbsent(layer, k -> new ArrayList<>())
            .add(new double[] {log2(cell.rank()), b}));
      }
      boolean one = groups(curve).size() == 1;
      byLayer.forEach((layer, pts) -> c.addSeries(one ? layer : layer + ", " + g.getKey(),
          pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()));
    }
    if (c.getSeriesMap().isEmpty()) {
      c.addSeries("no learned betas", new double[] {0}, new double[] {1});
    }
    return c;
  }

  static XYChart accuracyVsTrainable(List<Cell> curve) {
    XYChart c = xy("Test accuracy vs trainable fraction", "trainable parameters (% of the model, log10 scale)",
        "test accuracy");
    c.getStyler().setXAxisLogarithmic(true);
    for (Map.Entry<String, List<Cell>> g : groups(curve).entrySet()) {
      XYSeries s = c.addSeries(g.getKey(), g.getValue().stream().mapToDouble(cell -> 100 * cell.trainableFraction())
          .toArray(), g.getValue().stream().mapToDouble(Cell::accMean).toArray());
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    for (Cell full : curve) {
      if (full.rank() == 0) {
        XYSeries s = c.addSeries(full.group(), new double[] {100 * full.trainableFraction()},
            new double[] {full.accMean()});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.SQUARE);
      }
    }
    return c;
  }

  static CategoryChart byGroup(List<Cell> curve, String title) {
    CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).xAxisTitle("rank")
        .yAxisTitle("test accuracy").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    Map<String, List<Cell>> groups = groups(curve);
    List<Integer> ranks = curve.stream().filter(x -> x.rank() > 0).map(Cell::rank).distinct().sorted().toList();
    List<String> labels = ranks.stream().map(Object::toString).toList();
    double lo = curve.stream().mapToDouble(x -> x.accMean() - x.accStd()).min().orElse(0);
    c.getStyler().setYAxisMin(Math.max(0, Math.floor(lo * 20) / 20));
    for (Map.Entry<String, List<Cell>> g : groups.entrySet()) {
      List<Double> y = new ArrayList<>();
      List<Double> e = new ArrayList<>();
      for (int r : ranks) {
        Cell cell = g.getValue().stream().filter(x -> x.rank() == r).findFirst().orElse(null);
        y.add(cell == null ? 0 : cell.accMean());
        e.add(cell == null ? 0 : cell.accStd());
      }
      c.addSeries(g.getKey(), labels, y, e);
    }
    return c;
  }

  /** Adapter cells by group, in rank order. */
  private static Map<String, List<Cell>> groups(List<Cell> curve) {
    Map<String, List<Cell>> out = new LinkedHashMap<>();
    for (Cell cell : curve) {
      if (cell.rank() > 0) {
        out.computeIfAbsent(cell.group(), k -> new ArrayList<>()).add(cell);
      }
    }
    return out;
  }
}
