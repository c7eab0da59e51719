package org.lottalora.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RMSNorm: unit root-mean-square rows at gain 1, gradients of the gain and of the input against central finite
 * differences, backward adding into dx. LayerNorm: zero-mean unit-variance rows at gain 1 and bias 0, gradients of
 * gain, bias and input against finite differences. RoPE over flat blocks: a rotation (norms kept per pair),
 * relative (a rotated query and key's dot product depends on the positions' difference only), rows of stacked
 * sequences restart at position {@code first}, a one-row call at position p equals row p of a whole-block call, and
 * its backward is its transpose (checked through a linear loss); an odd head width is refused.
 */
class NormAndRopeTest {
  private static final double EPS = 1e-3;

  @Test
  void rmsNormIsUnitRmsAndItsGradientsMatchFiniteDifferences() {
    List<Param> params = new ArrayList<>();
    int n = 3;
    int d = 6;
    RmsNorm norm = new RmsNorm("norm", d, params);
    float[] x = Grad.matrix(n, d, 1, 2);
    float[] out = new float[n * d];
    assertSame(out, norm.forward(x, n, out), "writes into and returns y");
    for (int i = 0; i < n; i++) {
      double ss = 0;
      for (int j = 0; j < d; j++) {
        ss += out[i * d + j] * out[i * d + j];
      }
      assertEquals(1, Math.sqrt(ss / d), 1e-5);
    }
    Param gain = params.get(0);
    for (int j = 0; j < d; j++) {
      gain.v[j] = 0.5f + 0.2f * j;
    }
    float[] r = Grad.matrix(n, d, 2, 2);
    norm.forward(x, n, new float[n * d]);
    float[] dx = new float[n * d];
    java.util.Arrays.fill(dx, -1f);
    norm.backward(r, n, dx);
    for (int i = 0; i < dx.length; i++) {
      dx[i] += 1f;
    }
    Grad.checkParams(params, Grad::all, () -> { }, () -> Grad.dot(norm.forward(x, n, new float[n * d]), r), EPS,
        1e-3, 0.01);
    Grad.checkInput(x, dx, new int[] {0, 9, 17}, () -> Grad.dot(norm.forward(x, n, new float[n * d]), r), EPS,
        1e-3, 0.01);
  }

  @Test
  void layerNormIsStandardisedAndItsGradientsMatchFiniteDifferences() {
    List<Param> params = new ArrayList<>();
    int n = 3;
    int d = 7;
    LayerNorm norm = new LayerNorm("ln", d, params);
    assertEquals(2, params.size(), "gain and bias");
    float[] x = Grad.matrix(n, d, 3, 2);
    for (int i = 0; i < x.length; i++) {
      x[i] += 0.5f * (i / d); // a different mean per row
    }
    float[] y = norm.forward(x, n, new float[n * d]);
    for (int i = 0; i < n; i++) {
      double mean = 0;
      double ss = 0;
      for (int j = 0; j < d; j++) {
        mean += y[i * d + j];
        ss += y[i * d + j] * y[i * d + j];
      }
      assertEquals(0, mean / d, 1e-5);
      assertEquals(1, ss / d, 1e-3);
    }
    for (int j = 0; j < d; j++) {
      params.get(0).v[j] = 0.6f + 0.15f * j;
      params.get(1).v[j] = 0.1f * j - 0.2f;
    }
    float[] r = Grad.matrix(n, d, 4, 2);
    norm.forward(x, n, new float[n * d]);
    float[] dx = new float[n * d];
    java.util.Arrays.fill(dx, 2f);
    norm.backward(r, n, dx);
    for (int i = 0; i < dx.length; i++) {
      dx[i] -= 2f;
    }
    Grad.checkParams(params, Grad::all, () -> { }, () -> Grad.dot(norm.forward(x, n, new float[n * d]), r), EPS,
        1e-3, 0.01);
    Grad.checkInput(x, dx, new int[] {0, 8, 20}, () -> Grad.dot(norm.forward(x, n, new float[n * d]), r), EPS,
        1e-3, 0.01);
  }

  private static float[] row(float[] m, int r, int d) {
    return java.util.Arrays.copyOfRange(m, r * d, (r + 1) * d);
  }

  @Test
  void ropeIsARelativeRotationWhoseBackwardIsItsTranspose() {
    int d = 8;
    Rope rope = new Rope(d, 2, 10000);
    float[] q = Grad.matrix(1, d, 3, 2);
    float[] k = Grad.matrix(1, d, 4, 2);
    double[] scores = new double[2];
    int[][] positions = {{5, 2}, {13, 10}}; // the same distance, 3, at two places
    for (int c = 0; c < 2; c++) {
      float[] qr = q.clone();
      float[] kr = k.clone();
      rope.apply(qr, 1, 1, positions[c][0]);
      rope.apply(kr, 1, 1, positions[c][1]);
      for (int h = 0; h < d; h += 2) {
        assertEquals(Math.hypot(q[h], q[h + 1]), Math.hypot(qr[h], qr[h + 1]), 1e-5, "a rotation");
      }
      scores[c] = Grad.dot(qr, kr);
    }
    assertEquals(scores[0], scores[1], 1e-4, "q.k depends on the distance only");
    // two stacked sequences of 3 rows from position 4: row r sits at position 4 + r % 3
    float[] x = Grad.matrix(6, d, 5, 2);
    float[] r = Grad.matrix(6, d, 6, 2);
    float[] y = x.clone();
    rope.apply(y, 6, 3, 4);
    for (int t = 0; t < 6; t++) {
      float[] one = row(x, t, d);
      rope.apply(one, 1, 1, 4 + t % 3);
      for (int j = 0; j < d; j++) {
        assertEquals(one[j], y[t * d + j], 0f, "row " + t + " is position " + (4 + t % 3));
      }
    }
    float[] g = r.clone();
    rope.backward(g, 6, 3, 4);
    assertEquals(Grad.dot(y, r), Grad.dot(x, g), 1e-4, "<R x, r> = <x, R^T r>");
    float[] back = y.clone();
    rope.backward(back, 6, 3, 4);
    for (int i = 0; i < x.length; i++) {
      assertEquals(x[i], back[i], 1e-5, "R^T R = I");
    }
    float[] p0 = Grad.matrix(1, d, 7, 1);
    float[] same = p0.clone();
    rope.apply(same, 1, 1, 0);
    for (int j = 0; j < d; j++) {
      assertEquals(p0[j], same[j], 0f, "position 0 is not rotated");
    }
    assertThrows(IllegalArgumentException.class, () -> new Rope(6, 2, 10000), "odd head width");
  }
}
