package org.lottalora.core.engine;

/**
 * The per-head core of {@link Attention} for short sequences (a ViT's 17 tokens): scores, masked softmax and
 * context, and their backward, computed for all sequence-head pairs at once with the pairs as SIMD lanes. Each
 * pair's products are too small for OpenBLAS to pay (17 x 17 x 16: the call and its copies cost more than the
 * arithmetic, and a batch makes thousands of them per step), and too short in every dimension for the JIT to
 * vectorise one pair's loops; across pairs every loop runs over the same index of equally long arrays, which C2
 * vectorises.
 *
 * <p>Layout: a pair is lane {@code b = sequence * heads + head}. Q, K, V and the context C are {@code [t * dh]}
 * slices of {@code lanes} values (slice {@code i * dh + x}: token i, head feature x), the probabilities P are
 * {@code [t * t]} slices (slice {@code i * t + j}: query i, key j). Every lane runs the same operations in the same
 * order, so a pair's result depends neither on the other pairs nor on how the lanes are split over the engine's
 * threads. Causal blocks compute only keys {@code j <= i}; padded keys get probability exactly 0.
 */
final class AttentionLanes {
  /** Multiply-adds of one pair's score product ({@code t * t * dh}) below which the lanes are used. */
  static final long MAX_PAIR_WORK = 1L << 15;
  // lanes per thread at least: shorter loops would leave the vector units idle
  private static final int LEAST_LANES = 64;

  private AttentionLanes() {
  }

  /** Whether sequences of {@code t} tokens with head width {@code dh} go through the lanes. */
  static boolean suits(int t, int dh) {
    return (long) t * t * dh < MAX_PAIR_WORK;
  }

  /** {@code a} if it has at least {@code slices} slices of at least {@code lanes} values, else a new one. */
  static float[][] fit(float[][] a, int slices, int lanes) {
    if (a.length >= slices && (slices == 0 || a[0].length >= lanes)) {
      return a;
    }
    return new float[slices][lanes];
  }

  /** Rows [seqs * t, heads * dh] into lanes: row {@code s t + i}, column {@code h dh + x} to slice {@code i dh + x}. */
  static void pack(float[] rows, float[][] out, int seqs, int t, int heads, int dh) {
    move(rows, out, seqs, t, heads, dh, true);
  }

  /** The inverse of {@link #pack}. */
  static void unpack(float[][] in, float[] rows, int seqs, int t, int heads, int dh) {
    move(rows, in, seqs, t, heads, dh, false);
  }

  private static void move(float[] rows, float[][] lanes, int seqs, int t, int heads, int dh, boolean toLanes) {
    int d = heads * dh;
    for (int s = 0; s < seqs; s++) {
      for (int i = 0; i < t; i++) {
        int r = (s * t + i) * d;
        for (int h = 0; h < heads; h++) {
          int lane = s * heads + h;
          int col = r + h * dh;
          for (int x = 0; x < dh; x++) {
            if (toLanes) {
              lanes[i * dh + x][lane] = rows[col + x];
            } else {
              rows[col + x] = lanes[i * dh + x][lane];
            }
          }
        }
      }
    }
  }

  /**
   * {@code P = softmax(scale Q K^T)} under the masks and {@code C = P V} for every lane.
   *
   * @param valid keys each lane may attend to (its sequence's length, at least 1), or null for all
   */
  static void forward(float[][] q, float[][] k, float[][] v, float[][] p, float[][] c, int t, int dh, int lanes,
      float scale, boolean causal, int[] valid) {
    Parallel.forChunks(lanes, LEAST_LANES, (b0, b1) -> {
      float[] max = new float[lanes];
      double[] sum = new double[lanes];
      for (int i = 0; i < t; i++) {
        int last = causal ? i : t - 1;
        for (int j = 0; j <= last; j++) { // S_ij = scale q_i . k_j
          float[] s = p[i * t + j];
          java.util.Arrays.fill(s, b0, b1, 0f);
          for (int x = 0; x < dh; x++) {
            multiplyAdd(q[i * dh + x], k[j * dh + x], s, b0, b1);
          }
          scale(s, scale, b0, b1);
        }
        softmax(p, i * t, last, valid, max, sum, b0, b1);
        for (int x = 0; x < dh; x++) { // c_i = sum_j P_ij v_j
          java.util.Arrays.fill(c[i * dh + x], b0, b1, 0f);
        }
        for (int j = 0; j <= last; j++) {
          float[] pj = p[i * t + j];
          for (int x = 0; x < dh; x++) {
            multiplyAdd(pj, v[j * dh + x], c[i * dh + x], b0, b1);
          }
        }
      }
    });
  }

  // softmax over keys 0..last of query row `row` (slices row..row+last); padded keys exactly 0
  private static void softmax(float[][] p, int row, int last, int[] valid, float[] max, double[] sum, int b0,
      int b1) {
    if (valid != null) {
      mask(p, row, last, valid, b0, b1);
    }
    System.arraycopy(p[row], b0, max, b0, b1 - b0);
    for (int j = 1; j <= last; j++) {
      float[] s = p[row + j];
      for (int b = b0; b < b1; b++) {
        max[b] = Math.max(max[b], s[b]);
      }
    }
    for (int j = 0; j <= last; j++) {
      float[] s = p[row + j];
      for (int b = b0; b < b1; b++) {
        s[b] -= max[b];
      }
      Activations.expNonPositive(s, 0f, s, b0, b1);
    }
    java.util.Arrays.fill(sum, b0, b1, 0.0);
    for (int j = 0; j <= last; j++) {
      float[] s = p[row + j];
      for (int b = b0; b < b1; b++) {
        sum[b] += s[b];
      }
    }
    for (int b = b0; b < b1; b++) {
      max[b] = (float) (1 / sum[b]); // max now holds the inverse sums
    }
    for (int j = 0; j <= last; j++) {
      float[] s = p[row + j];
      for (int b = b0; b < b1; b++) {
        s[b] *= max[b];
      }
    }
  }

  // padded keys to -inf: excluded from the maximum, and their exponential is exactly 0
  private static void mask(float[][] p, int row, int last, int[] valid, int b0, int b1) {
    for (int j = 1; j <= last; j++) { // key 0 is always valid
      float[] s = p[row + j];
      for (int b = b0; b < b1; b++) {
        if (j >= valid[b]) {
          s[b] = Float.NEGATIVE_INFINITY;
        }
      }
    }
  }

  /**
   * The gradients {@code dq, dk, dv} (overwritten) of the last {@link #forward} for the context's gradient
   * {@code dc}: {@code dP = dC V^T}, {@code dV = P^T dC}, {@code dS = P (dP - rowsum(P dP))},
   * {@code dQ = scale dS K}, {@code dK = scale dS^T Q}.
   */
  static void backward(float[][] dc, float[][] q, float[][] k, float[][] v, float[][] p, float[][] dq, float[][] dk,
      float[][] dv, int t, int dh, int lanes, float scale, boolean causal) {
    Parallel.forChunks(lanes, LEAST_LANES, (b0, b1) -> {
      float[][] ds = new float[t][lanes];
      double[] dot = new double[lanes];
      float[] fdot = new float[lanes];
      for (int s = 0; s < t * dh; s++) {
        java.util.Arrays.fill(dk[s], b0, b1, 0f);
        java.util.Arrays.fill(dv[s], b0, b1, 0f);
      }
      for (int i = 0; i < t; i++) {
        int last = causal ? i : t - 1;
        for (int j = 0; j <= last; j++) {
          float[] dpj = ds[j];
          java.util.Arrays.fill(dpj, b0, b1, 0f);
          float[] pj = p[i * t + j];
          for (int x = 0; x < dh; x++) {
            float[] dcx = dc[i * dh + x];
            multiplyAdd(dcx, v[j * dh + x], dpj, b0, b1); // dP_ij = dc_i . v_j
            multiplyAdd(pj, dcx, dv[j * dh + x], b0, b1); // dv_j += P_ij dc_i
          }
        }
        java.util.Arrays.fill(dot, b0, b1, 0.0);
        for (int j = 0; j <= last; j++) {
          float[] pj = p[i * t + j];
          float[] dpj = ds[j];
          for (int b = b0; b < b1; b++) {
            dot[b] += pj[b] * dpj[b];
          }
        }
        for (int b = b0; b < b1; b++) {
          fdot[b] = (float) dot[b];
        }
        for (int j = 0; j <= last; j++) { // dS_ij = P_ij (dP_ij - sum_j' P_ij' dP_ij')
          float[] pj = p[i * t + j];
          float[] dsj = ds[j];
          for (int b = b0; b < b1; b++) {
            dsj[b] = pj[b] * (dsj[b] - fdot[b]);
          }
        }
        for (int x = 0; x < dh; x++) { // dq_i = scale sum_j dS_ij k_j
          float[] dqx = dq[i * dh + x];
          java.util.Arrays.fill(dqx, b0, b1, 0f);
          for (int j = 0; j <= last; j++) {
            multiplyAdd(ds[j], k[j * dh + x], dqx, b0, b1);
          }
          scale(dqx, scale, b0, b1);
        }
        for (int j = 0; j <= last; j++) { // dk_j += dS_ij q_i (scaled once at the end)
          for (int x = 0; x < dh; x++) {
            multiplyAdd(ds[j], q[i * dh + x], dk[j * dh + x], b0, b1);
          }
        }
      }
      for (int s = 0; s < t * dh; s++) {
        scale(dk[s], scale, b0, b1);
      }
    });
  }

  // acc[b] += a[b] * w[b]: one index for all three arrays, so the JIT vectorises it
  private static void multiplyAdd(float[] a, float[] w, float[] acc, int b0, int b1) {
    for (int b = b0; b < b1; b++) {
      acc[b] += a[b] * w[b];
    }
  }

  private static void scale(float[] a, float k, int b0, int b1) {
    for (int b = b0; b < b1; b++) {
      a[b] *= k;
    }
  }
}
