package org.lottalora.models.conversion;

import org.lottalora.core.data.Dataset;

/**
 * Occlusion of a square image: a centred square patch covering {@code fraction} of the area is set to zero in the
 * raw pixels (black), before any normalisation. The patch's side is {@code round(side * sqrt(fraction))}, placed
 * at offset {@code (side - patch) / 2} in both directions: a fixed position, so the ANN and the SNN see exactly the
 * same occluded images and the figure does not depend on a seed. 25% of a 28x28 image is its central 14x14, of an
 * 8x8 digit its central 4x4.
 *
 * @param fraction the occluded share of the area, in [0, 1)
 */
public record Occlusion(double fraction) {
  /** Rejects a fraction outside [0, 1). */
  public Occlusion {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("the occluded fraction must be in [0, 1), got " + fraction);
    }
  }

  /** The patch side for an image of side {@code side}. */
  public int patch(int side) {
    return (int) Math.round(side * Math.sqrt(fraction));
  }

  /**
   * A copy of {@code raw} with the patch zeroed in every row.
   *
   * @throws IllegalArgumentException when the rows are not square one-channel images
   */
  public Dataset apply(Dataset raw) {
    int side = (int) Math.round(Math.sqrt(raw.cols()));
    if (side * side != raw.cols()) {
      throw new IllegalArgumentException("occlusion needs square images; dataset '" + raw.name() + "' has "
          + raw.cols() + " features");
    }
    int p = patch(side);
    int off = (side - p) / 2;
    float[] x = raw.features().clone();
    for (int r = 0; r < raw.rows(); r++) {
      for (int y = off; y < off + p; y++) {
        for (int c = off; c < off + p; c++) {
          x[r * raw.cols() + y * side + c] = 0f;
        }
      }
    }
    return new Dataset(raw.name() + "-occluded", x, raw.rows(), raw.cols(), raw.labels(), raw.classes());
  }
}
