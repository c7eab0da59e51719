package org.lottalora.models.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lottalora.core.engine.Param;

/**
 * RMSNorm: unit root-mean-square rows at gain 1, gradients of gain and input against finite differences. RoPE: a
 * rotation (norms kept per pair), relative (the dot product of a rotated query and key depends on the positions'
 * difference only), and its backward is its transpose (checked through a linear loss).
 */
class NormAndRopeTest {
  private static float[][] matrix(int rows, int cols, int salt) {
    float[][] m = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = (float) Math.sin(salt * 1.3 + i * 0.7 + j * 0.41) * 2;
      }
    }
    return m;
  }

  @Test
  void rmsNormIsUnitRmsAndItsGradientsMatchFiniteDifferences() {
    List<Param> params = new ArrayList<>();
    RmsNorm n = new RmsNorm("norm", 6, params);
    float[][] x = matrix(3, 6, 1);
    float[][] y = n.forward(x);
    for (float[] row : y) {
      double ss = 0;
      for (float v : row) {
        ss += v * v;
      }
      assertEquals(1, Math.sqrt(ss / row.length), 1e-5);
    }
    Param gain = params.get(0);
    for (int j = 0; j < 6; j++) {
      gain.v[j] = 0.5f + 0.2f * j;
    }
    float[][] r = matrix(3, 6, 2);
    n.forward(x);
    float[][] dx = n.backward(r);
    double eps = 1e-3;
    for (int j = 0; j < 6; j++) {
      float orig = gain.v[j];
      gain.v[j] = (float) (orig + eps);
      double up = Gradients.dot(n.forward(x), r);
      gain.v[j] = (float) (orig - eps);
      double down = Gradients.dot(n.forward(x), r);
      gain.v[j] = orig;
      assertEquals((up - down) / (2 * eps), gain.g[j], 1e-3, "d gain " + j);
    }
    for (int[] at : new int[][] {{0, 0}, {1, 3}, {2, 5}}) {
      float orig = x[at[0]][at[1]];
      x[at[0]][at[1]] = (float) (orig + eps);
      double up = Gradients.dot(n.forward(x), r);
      x[at[0]][at[1]] = (float) (orig - eps);
      double down = Gradients.dot(n.forward(x), r);
      x[at[0]][at[1]] = orig;
      assertEquals((up - down) / (2 * eps), dx[at[0]][at[1]], 1e-3, "d x" + java.util.Arrays.toString(at));
    }
  }


  @Test
  void ropeIsARelativeRotationWhoseBackwardIsItsTranspose() {
    Rope rope = new Rope(8, 2, 10000);
    float[] q = matrix(1, 8, 3)[0];
    float[] k = matrix(1, 8, 4)[0];
    double[] scores = new double[2];
    int[][] positions = {{5, 2}, {13, 10}}; // the same distance, 3, at two places
    for (int c = 0; c < 2; c++) {
      float[][] qr = {q.clone()};
      float[][] kr = {k.clone()};
      rope.apply(qr, positions[c][0]);
      rope.apply(kr, positions[c][1]);
      for (int h = 0; h < 8; h += 2) {
        assertEquals(Math.hypot(q[h], q[h + 1]), Math.hypot(qr[0][h], qr[0][h + 1]), 1e-5, "a rotation");
      }
      scores[c] = Gradients.dot(qr, kr);
    }
    assertEquals(scores[0], scores[1], 1e-4, "q.k depends on the distance only");
    float[][] x = matrix(3, 8, 5);
    float[][] r = matrix(3, 8, 6);
    float[][] y = new float[3][];
    for (int t = 0; t < 3; t++) {
      y[t] = x[t].clone();
    }
    rope.apply(y, 4);
    float[][] g = new float[3][];
    for (int t = 0; t < 3; t++) {
      g[t] = r[t].clone();
    }
    rope.backward(g, 4);
    assertEquals(Gradients.dot(y, r), Gradients.dot(x, g), 1e-4, "<R x, r> = <x, R^T r>");
    assertThrows(IllegalArgumentException.class, () -> new Rope(6, 2, 10000), "odd head width");
  }
}
