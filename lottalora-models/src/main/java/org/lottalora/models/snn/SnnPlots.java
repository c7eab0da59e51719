package org.lottalora.models.snn;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.lottalora.core.LottaException;
import org.lottalora.core.util.Charts;

/**
 * Pictures of spiking activity and of what a network learned: spike rasters and voltage traces (PNG and SVG, via
 * XChart) and the grid of learned input filters (PNG), one tile per neuron laid out on the lattice.
 */
public final class SnnPlots {
  private SnnPlots() {
  }

  /** A raster of every kept spike of batch row 0, one series per monitor; writes base.png and base.svg. */
  public static void raster(Path base, String title, List<Monitor> monitors) {
    XYChart c = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step")
        .yAxisTitle("neuron (layers stacked)").build();
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    c.getStyler().setMarkerSize(3);
    int offset = 0;
    for (Monitor m : monitors) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      int top = 0;
      for (int k = 0; k < m.spikeCount(); k++) {
        if (m.row(k) == 0) {
          x.add((double) m.time(k));
          y.add((double) (offset + m.neuron(k)));
        }
      }
      if (m.counts() != null) {
        top = m.counts().length;
      }
      if (x.isEmpty()) {
        x.add(0.0);
        y.add((double) offset);
      }
      c.addSeries(m.layer(), x, y).setMarker(SeriesMarkers.CIRCLE);
      offset += top;
    }
    save(c, base);
  }

  /** Voltage traces of a monitor's chosen neurons; writes base.png and base.svg. */
  public static void voltage(Path base, String title, Monitor m) {
    XYChart c = new XYChartBuilder().width(900).height(450).title(title).xAxisTitle("step").yAxisTitle("v (mV)")
        .build();
    c.getStyler().setMarkerSize(0);
    int[] ns = m.voltageNeurons();
    List<float[]> v = m.voltages();
    if (v.isEmpty() || ns.length == 0) {
      throw new IllegalArgumentException("monitor of '" + m.layer() + "' kept no voltages");
    }
    for (int k = 0; k < ns.length; k++) {
      double[] x = new double[v.size()];
      double[] y = new double[v.size()];
      for (int t = 0; t < v.size(); t++) {
        x[t] = t;
        y[t] = v.get(t)[k];
      }
      c.addSeries(m.layer() + " " + ns[k], x, y);
    }
    save(c, base);
  }

  /**
   * The learned input weights of each post neuron of {@code conn} as an {@code h x w} tile, tiles on a square grid
   * (the lattice order for an LM-SNN); grey scale from the connection's smallest to largest weight.
   */
  public static void filters(Path png, Connection conn, int h, int w) {
    int n = conn.target().size();
    int pre = conn.source().size();
    if (h * w != pre) {
      throw new IllegalArgumentException("filters of " + pre + " inputs cannot be drawn as " + h + " x " + w);
    }
    int side = (int) Math.ceil(Math.sqrt(n));
    int cell = Math.max(2, 120 / Math.max(h, w));
    int pad = 1;
    BufferedImage img = new BufferedImage(side * (w * cell + pad), side * (h * cell + pad),
        BufferedImage.TYPE_INT_RGB);
    float[] v = conn.weightsCanonical();
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    float span = hi > lo ? hi - lo : 1;
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(new Color(40, 40, 120));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    for (int j = 0; j < n; j++) {
      int gx = (j % side) * (w * cell + pad);
      int gy = (j / side) * (h * cell + pad);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int level = Math.round(255 * (v[j * pre + y * w + x] - lo) / span);
          g.setColor(new Color(level, level, level));
          g.fillRect(gx + x * cell, gy + y * cell, cell, cell);
        }
      }
    }
    g.dispose();
    try {
      if (png.getParent() != null) {
        Files.createDirectories(png.getParent());
      }
      Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
      ImageIO.write(img, "png", tmp.toFile());
      Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LottaException("cannot write " + png + ": " + e.getMessage(), e);
    }
  }

  private static void save(XYChart c, Path base) {
    Charts.save(c, base);
  }

}
