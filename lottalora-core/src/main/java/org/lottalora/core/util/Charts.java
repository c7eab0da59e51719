package org.lottalora.core.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.lottalora.core.LottaException;

/**
 * Writes a chart as {@code base.png} (110 dpi) and {@code base.svg}, creating the folder: the one place every
 * plotting class of the toolkit (sweeps, reservoirs, spiking networks) saves through, so all pictures come out
 * in both formats alike.
 */
public final class Charts {
  private Charts() {
  }

  /** Saves {@code chart} as base.png and base.svg; a failure names the path. */
  public static void save(Chart<?, ?> chart, Path base) {
    try {
      if (base.getParent() != null) {
        Files.createDirectories(base.getParent());
      }
      BitmapEncoder.saveBitmapWithDPI(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG, 110);
      VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new LottaException("cannot write plot " + base + ".png/.svg: " + e.getMessage(), e);
    }
  }
}
