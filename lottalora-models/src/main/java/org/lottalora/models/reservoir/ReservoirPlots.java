package org.lottalora.models.reservoir;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.lottalora.core.util.Charts;

/**
 * The reservoir plots, each written as PNG and SVG next to each other: a forecast against the truth (one panel
 * per channel, stacked in one chart with offsets), and the loss landscape of a hyperparameter search (loss
 * against each searched parameter, log axes where the range spans decades).
 */
public final class ReservoirPlots {
  private static final int W = 900;
  private static final int H = 420;

  private ReservoirPlots() {
  }

  /** Truth and forecast of every channel, against the step index; writes {@code base}.png and .svg. */
  public static void forecast(Path base, String title, double[][] truth, double[][] pred, int firstStep) {
    XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle("step").yAxisTitle("value").build();
    c.getStyler().setMarkerSize(0);
    int d = pred[0].length;
    double[] x = new double[pred.length];
    for (int t = 0; t < x.length; t++) {
      x[t] = firstStep + t;
    }
    for (int ch = 0; ch < d; ch++) {
      if (truth != null && truth.length == pred.length) {
        XYSeries s = c.addSeries("truth" + (d > 1 ? " " + ch : ""), x, column(truth, ch));
        s.setLineColor(Color.GRAY);
        s.setMarker(SeriesMarkers.NONE);
      }
      XYSeries p = c.addSeries("forecast" + (d > 1 ? " " + ch : ""), x, column(pred, ch));
      p.setMarker(SeriesMarkers.NONE);
    }
    save(c, base);
  }

  /** One point per trial: loss against parameter {@code name}; log x when {@code logX}. */
  public static void landscape(Path base, String name, List<double[]> points, boolean logX) {
    XYChart c = new XYChartBuilder().width(W / 2).height(H).title("search: loss vs " + name).xAxisTitle(name)
        .yAxisTitle("validation NRMSE").build();
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    c.getStyler().setXAxisLogarithmic(logX);
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setLegendVisible(false);
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = points.get(i)[0];
      y[i] = Math.max(points.get(i)[1], 1e-12);
    }
    c.addSeries("trials", x, y);
    save(c, base);
  }

  private static double[] column(double[][] a, int c) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i][c];
    }
    return out;
  }

  private static void save(XYChart c, Path base) {
    Charts.save(c, base);
  }
}
