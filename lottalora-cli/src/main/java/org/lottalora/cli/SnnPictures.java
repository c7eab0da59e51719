package org.lottalora.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lottalora.core.data.Dataset;
import org.lottalora.models.snn.Monitor;
import org.lottalora.models.snn.SnnModel;
import org.lottalora.models.snn.SnnNetworks;
import org.lottalora.models.snn.SnnPlots;

/** The pictures `snn train --plots` and `snn inspect --plots` write: filters, one raster, one voltage trace. */
final class SnnPictures {
  private SnnPictures() {
  }

  static void write(Path dir, SnnModel m, Dataset images) {
    var s = m.spec();
    if (s.patterns() == null) {
      SnnPlots.filters(dir.resolve("filters.png"), m.network().connection(SnnNetworks.INPUT_EXC), s.height(),
          s.width());
    }
    String readout = s.readoutLayer();
    List<Monitor> mons = new ArrayList<>();
    mons.add(new Monitor(SnnNetworks.INPUT, true));
    Monitor out = new Monitor(readout, true, 0, 1, 2);
    mons.add(out);
    if (s.network().equals("diehl-cook")) {
      mons.add(new Monitor(SnnNetworks.INH, true));
    }
    m.trace(images == null ? null : java.util.Arrays.copyOfRange(images.features(), 0, images.cols()), 0, mons);
    SnnPlots.raster(dir.resolve("raster"), s.network() + ": spikes of one presentation", mons);
    SnnPlots.voltage(dir.resolve("voltage"), s.network() + ": " + readout + " neurons 0-2", out);
  }
}
