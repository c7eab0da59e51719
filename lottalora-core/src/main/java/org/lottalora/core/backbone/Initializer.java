package org.lottalora.core.backbone;

/**
 * Computes the values of one tensor from (seed, {@link TensorSpec}): the arithmetic of each
 * {@link InitFamily}. Element-local families can fill any slice alone; the two global ones fill the whole
 * tensor. All arithmetic is in double with {@code StrictMath}, cast to float at the end, so the bits do not
 * depend on the JVM, the CPU or the thread count.
 */
public final class Initializer {
  private static final int MAX_TRUNC_TRIES = 64;
  private static final int SPECTRAL_ITERS = 300;
  private static final int SPECTRAL_AVG_FROM = 100;
  private static final int SVD_ITERS = 100;

  private Initializer() {}

  /**
   * Fills {@code out[0..n)} with elements {@code start..start+n} of an element-local tensor.
   *
   * @throws IllegalArgumentException for a global family
   */
  public static void fillSlice(long seed, TensorSpec t, long start, float[] out, int n) {
    fillSlice(seed, t, start, out, 0, n);
  }

  /**
   * Fills {@code out[off..off+n)} with elements {@code start..start+n} of an element-local tensor: a regeneration
   * writes each slice straight into the tensor's array.
   *
   * @throws IllegalArgumentException for a global family
   */
  public static void fillSlice(long seed, TensorSpec t, long start, float[] out, int off, int n) {
    InitSpec spec = t.init();
    InitFamily fam = spec.family();
    if (fam.isGlobal()) {
      throw new IllegalArgumentException("init family '" + fam.id() + "' is global: fill the whole tensor");
    }
    Stream s0 = new Stream(seed, t.name());
    double f = spec.params().getOrDefault("fanin", 0.0) == 1.0 ? 1.0 / StrictMath.sqrt(t.fanIn()) : 1.0;
    // the common scaffolds write in place, in passes that stay in cache; the rest compute into a whole-slice buffer
    switch (fam) {
      case NORMAL:
        s0.scaledNormals(start, out, off, n, spec.param("sigma") * f);
        return;
      case KAIMING_NORMAL:
        s0.scaledNormals(start, out, off, n,
            StrictMath.sqrt(2.0 / (1.0 + sq(spec.param("a")))) / StrictMath.sqrt(t.fanIn()));
        return;
      case XAVIER_NORMAL:
        s0.scaledNormals(start, out, off, n,
            spec.param("gain") * StrictMath.sqrt(2.0 / ((double) t.fanIn() + t.fanOut())));
        return;
      case UNIFORM:
        s0.symmetricUniforms(start, out, off, n, spec.param("a") * f);
        return;
      case KAIMING_UNIFORM:
        s0.symmetricUniforms(start, out, off, n,
            StrictMath.sqrt(2.0 / (1.0 + sq(spec.param("a")))) * StrictMath.sqrt(3.0 / t.fanIn()));
        return;
      case XAVIER_UNIFORM:
        s0.symmetricUniforms(start, out, off, n,
            spec.param("gain") * StrictMath.sqrt(6.0 / ((double) t.fanIn() + t.fanOut())));
        return;
      case ZEROS:
        java.util.Arrays.fill(out, off, off + n, 0f);
        return;
      default:
        break;
    }
    if (off == 0) {
      fillOther(s0, spec, f, t, start, out, n);
    } else {
      float[] buf = new float[n];
      fillOther(s0, spec, f, t, start, buf, n);
      System.arraycopy(buf, 0, out, off, n);
    }
  }

  /** The families without an in-place path, into {@code out[0..n)}. */
  private static void fillOther(Stream s0, InitSpec spec, double f, TensorSpec t, long start, float[] out, int n) {
    InitFamily fam = spec.family();
    double[] a = new double[n];
    switch (fam) {
      case TRUNCATED_NORMAL: {
        double bound = spec.param("bound");
        s0.normals(start, a, n);
        double[] b = new double[n];
        boolean[] ok = new boolean[n];
        int missing = 0;
        for (int i = 0; i < n; i++) {
          ok[i] = Math.abs(a[i]) <= bound;
          if (!ok[i]) {
            missing++;
          }
        }
        for (int k = 1; k < MAX_TRUNC_TRIES && missing > 0; k++) {
          Stream sk = s0.aux(k);
          for (int i = 0; i < n; i++) {
            if (!ok[i]) {
              sk.normals(start + i, b, 1);
              if (Math.abs(b[0]) <= bound) {
                a[i] = b[0];
                ok[i] = true;
                missing--;
              }
            }
          }
        }
        for (int i = 0; i < n; i++) {
          if (!ok[i]) {
            a[i] = 0.0;
          }
        }
        scale(a, out, n, spec.param("sigma") * f);
        break;
      }
      case CAUCHY: {
        double s = spec.param("s");
        double clip = spec.param("clip") * s;
        s0.uniforms(start, a, n);
        for (int i = 0; i < n; i++) {
          double v = s * StrictMath.tan(Math.PI * (a[i] - 0.5));
          out[i] = (float) Math.max(-clip, Math.min(clip, v));
        }
        break;
      }
      case LAPLACE: {
        double b = spec.param("b");
        s0.uniforms(start, a, n);
        for (int i = 0; i < n; i++) {
          double u = a[i] - 0.5;
          // u = 0.5 only for the top word (see Stream.uniform); 2^-53 keeps the log finite there
          out[i] = (float) (-b * Math.signum(u) * StrictMath.log(Math.max(1.0 - 2.0 * Math.abs(u), 0x1.0p-53)));
        }
        break;
      }
      case STUDENT_T: {
        int nu = (int) spec.param("nu");
        s0.normals(start, a, n);
        double[] chi = new double[n];
        double[] z = new double[n];
        for (int k = 1; k <= nu; k++) {
          s0.aux(k).normals(start, z, n);
          for (int i = 0; i < n; i++) {
            chi[i] += z[i] * z[i];
          }
        }
        for (int i = 0; i < n; i++) {
          out[i] = (float) (f * a[i] / StrictMath.sqrt(chi[i] / nu));
        }
        break;
      }
      case GAUSSIAN_MIXTURE: {
        double p = spec.param("p");
        double s1 = spec.param("sigma1");
        double s2 = spec.param("sigma2");
        double[] u = new double[n];
        s0.normals(start, a, n);
        s0.aux(1).uniforms(start, u, n);
        for (int i = 0; i < n; i++) {
          out[i] = (float) ((u[i] < p ? s2 : s1) * a[i]);
        }
        break;
      }
      case SPARSE_NORMAL: {
        double p = spec.param("p");
        double sigma = spec.param("sigma") * f;
        double[] u = new double[n];
        s0.normals(start, a, n);
        s0.aux(1).uniforms(start, u, n);
        for (int i = 0; i < n; i++) {
          out[i] = u[i] < p ? (float) (sigma * a[i]) : 0f;
        }
        break;
      }
      case SPARSE_ERDOS_RENYI: {
        double p = spec.param("p");
        s0.uniforms(start, a, n);
        for (int i = 0; i < n; i++) {
          out[i] = a[i] < p ? (float) f : 0f;
        }
        break;
      }
      case BETA: {
        double lo = spec.param("lo");
        double hi = spec.param("hi");
        double[] u1 = new double[n];
        double[] u2 = new double[n];
        s0.uniforms(start, a, n);
        s0.aux(1).uniforms(start, u1, n);
        s0.aux(2).uniforms(start, u2, n);
        for (int i = 0; i < n; i++) {
          double med = Math.max(Math.min(a[i], u1[i]), Math.min(Math.max(a[i], u1[i]), u2[i]));
          out[i] = (float) (lo + (hi - lo) * med);
        }
        break;
      }
      case EXPONENTIAL: {
        double lambda = spec.param("lambda");
        s0.uniforms(start, a, n);
        for (int i = 0; i < n; i++) {
          out[i] = (float) (-StrictMath.log(a[i]) / lambda - 1.0 / lambda);
        }
        break;
      }
      case QUANTIZED16:
      case QUANTIZED8:
      case QUANTIZED4:
      case QUANTIZED2: {
        int bits = fam.quantBits();
        double clip = spec.param("clip");
        double levels = StrictMath.pow(2.0, bits);
        double delta = 2.0 * clip / levels;
        double lo = -levels / 2;
        double hi = levels / 2 - 1;
        s0.normals(start, a, n);
        for (int i = 0; i < n; i++) {
          double q = Math.max(lo, Math.min(hi, Math.floor(a[i] / delta)));
          out[i] = (float) (f * (q + 0.5) * delta);
        }
        break;
      }
      case BINARY: {
        s0.normals(start, a, n);
        for (int i = 0; i < n; i++) {
          out[i] = (float) (a[i] >= 0 ? f : -f);
        }
        break;
      }
      default:
        throw new IllegalStateException("unhandled init family " + fam);
    }
  }

  /**
   * The values at {@code indices} of an element-local tensor, each computed alone: exactly what a whole
   * regeneration puts there (the stream is a function of the index). A loader checks a tensor's fingerprint from
   * these before it regenerates the tensor.
   *
   * @throws IllegalArgumentException for a global family
   */
  public static float[] valuesAt(long seed, TensorSpec t, long[] indices) {
    float[] out = new float[indices.length];
    float[] one = new float[1];
    for (int i = 0; i < indices.length; i++) {
      fillSlice(seed, t, indices[i], one, 1);
      out[i] = one[0];
    }
    return out;
  }

  /** Fills a whole tensor of a global family ({@code orthogonal}, {@code spectral_radius}). */
  public static float[] fillGlobal(long seed, TensorSpec t) {
    int rows = t.shape()[0];
    int cols = t.shape()[1];
    double[] g = new double[Math.multiplyExact(rows, cols)];
    new Stream(seed, t.name()).normals(0, g, g.length);
    double[] w;
    if (t.init().family() == InitFamily.ORTHOGONAL) {
      w = orthonormalize(g, rows, cols);
      double gain = t.init().param("gain");
      for (int i = 0; i < w.length; i++) {
        w[i] *= gain;
      }
    } else {
      double inv = 1.0 / StrictMath.sqrt(t.fanIn());
      for (int i = 0; i < g.length; i++) {
        g[i] *= inv;
      }
      double r = rows == cols ? spectralRadius(g, rows) : largestSingularValue(g, rows, cols);
      double k = t.init().param("rho") / r;
      w = g;
      for (int i = 0; i < w.length; i++) {
        w[i] *= k;
      }
    }
    float[] out = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = (float) w[i];
    }
    return out;
  }

  /**
   * Modified Gram-Schmidt, in index order, over the shorter side: the columns of a tall (or square) matrix,
   * the rows of a wide one. The result has orthonormal columns (tall) or rows (wide).
   */
  static double[] orthonormalize(double[] g, int rows, int cols) {
    boolean byRows = rows < cols;
    int m = byRows ? rows : cols; // number of vectors
    int len = byRows ? cols : rows; // length of each
    double[][] v = new double[m][len];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        if (byRows) {
          v[r][c] = g[r * cols + c];
        } else {
          v[c][r] = g[r * cols + c];
        }
      }
    }
    for (int j = 0; j < m; j++) {
      double[] q = v[j];
      double norm = 0;
      for (int i = 0; i < len; i++) {
        norm += q[i] * q[i];
      }
      norm = StrictMath.sqrt(norm);
      for (int i = 0; i < len; i++) {
        q[i] /= norm;
      }
      for (int k = j + 1; k < m; k++) {
        double[] x = v[k];
        double dot = 0;
        for (int i = 0; i < len; i++) {
          dot += q[i] * x[i];
        }
        for (int i = 0; i < len; i++) {
          x[i] -= dot * q[i];
        }
      }
    }
    double[] out = new double[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = byRows ? v[r][c] : v[c][r];
      }
    }
    return out;
  }

  /**
   * Spectral radius of a square matrix by power iteration from the all-ones vector: the geometric mean of
   * the growth factors of iterations {@value #SPECTRAL_AVG_FROM}..{@value #SPECTRAL_ITERS} (this also
   * converges when the dominant eigenvalues are a complex pair).
   */
  static double spectralRadius(double[] w, int n) {
    double[] x = new double[n];
    java.util.Arrays.fill(x, 1.0 / StrictMath.sqrt(n));
    double logSum = 0;
    for (int it = 1; it <= SPECTRAL_ITERS; it++) {
      double[] y = matVec(w, n, n, x);
      double norm = norm(y);
      if (norm == 0) {
        return 1.0;
      }
      for (int i = 0; i < n; i++) {
        x[i] = y[i] / norm;
      }
      if (it > SPECTRAL_AVG_FROM) {
        logSum += StrictMath.log(norm);
      }
    }
    return StrictMath.exp(logSum / (SPECTRAL_ITERS - SPECTRAL_AVG_FROM));
  }

  /** Largest singular value by {@value #SVD_ITERS} power iterations on W^T W from the all-ones vector. */
  static double largestSingularValue(double[] w, int rows, int cols) {
    double[] x = new double[cols];
    java.util.Arrays.fill(x, 1.0 / StrictMath.sqrt(cols));
    double sigma = 1.0;
    for (int it = 0; it < SVD_ITERS; it++) {
      double[] y = matVec(w, rows, cols, x);
      double[] z = new double[cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          z[c] += w[r * cols + c] * y[r];
        }
      }
      double norm = norm(z);
      if (norm == 0) {
        return 1.0;
      }
      sigma = StrictMath.sqrt(norm);
      for (int c = 0; c < cols; c++) {
        x[c] = z[c] / norm;
      }
    }
    return sigma;
  }

  private static double[] matVec(double[] w, int rows, int cols, double[] x) {
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        s += w[base + c] * x[c];
      }
      y[r] = s;
    }
    return y;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d * d;
    }
    return StrictMath.sqrt(s);
  }

  private static void scale(double[] a, float[] out, int n, double k) {
    for (int i = 0; i < n; i++) {
      out[i] = (float) (k * a[i]);
    }
  }

  private static double sq(double x) {
    return x * x;
  }
}
