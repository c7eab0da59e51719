package org.lottalora.models.conversion;

/**
 * A 2-D convolution over channel-last maps ([height, width, channels] per sample, so that one input value adds one
 * contiguous run of output channels), zero-padded, without dilation. Written as a scatter: each non-zero input
 * value or spike at (y, x, c) adds {@code v * K[c, ky, kx, :]} to every output position whose window holds it, so
 * a sparse spike map costs only its spikes; the analog forward pass uses the same code on ReLU maps.
 *
 * @param kT the kernel as [inC, k, k, outC] (canonical [outC, inC, k, k] transposed)
 * @param bias the bias per output unit, [outH, outW, outC]
 */
public record ConvLayer(String name, int inC, int inH, int inW, int outC, int outH, int outW, int k, int stride,
    int pad, float[] kT, float[] bias) implements ReluLayer {
  /** Checks the array sizes and the output geometry. */
  public ConvLayer {
    if (kT.length != (long) inC * k * k * outC || bias.length != (long) outH * outW * outC) {
      throw new IllegalArgumentException("layer '" + name + "': kernel or bias size does not fit its shape");
    }
    if (outH != (inH + 2 * pad - k) / stride + 1 || outW != (inW + 2 * pad - k) / stride + 1) {
      throw new IllegalArgumentException("layer '" + name + "': output " + outH + "x" + outW + " does not follow "
          + "from input " + inH + "x" + inW + ", kernel " + k + ", stride " + stride + ", padding " + pad);
    }
  }

  /**
   * The layer of a canonical kernel [outC, inC, k, k] and one bias per channel, over square maps of side
   * {@code in}.
   */
  public static ConvLayer of(String name, int inC, int outC, int in, int k, int stride, int pad, float[] kernel,
      float[] channelBias) {
    int out = (in + 2 * pad - k) / stride + 1;
    float[] t = new float[inC * k * k * outC];
    for (int o = 0; o < outC; o++) {
      for (int c = 0; c < inC; c++) {
        for (int j = 0; j < k * k; j++) {
          t[(c * k * k + j) * outC + o] = kernel[(o * inC + c) * k * k + j];
        }
      }
    }
    float[] b = new float[out * out * outC];
    for (int p = 0; p < out * out; p++) {
      System.arraycopy(channelBias, 0, b, p * outC, outC);
    }
    return new ConvLayer(name, inC, in, in, outC, out, out, k, stride, pad, t, b);
  }

  @Override
  public int inSize() {
    return inH * inW * inC;
  }

  @Override
  public int outSize() {
    return outH * outW * outC;
  }

  @Override
  public void accumulate(float[] in, int inOff, float[] out, int outOff) {
    for (int p = 0; p < inH * inW; p++) {
      for (int c = 0; c < inC; c++) {
        float v = in[inOff + p * inC + c];
        if (v != 0f) {
          scatter(p / inW, p % inW, c, v, out, outOff);
        }
      }
    }
  }

  @Override
  public void addSpikes(int[] spikes, int count, float[] out, int outOff) {
    for (int s = 0; s < count; s++) {
      int i = spikes[s];
      int p = i / inC;
      scatter(p / inW, p % inW, i % inC, 1f, out, outOff);
    }
  }

  // the outputs that read input (y, x): oy * stride - pad + ky = y for some ky in [0, k)
  private void scatter(int y, int x, int c, float v, float[] out, int outOff) {
    for (int ky = 0; ky < k; ky++) {
      int ny = y + pad - ky;
      if (ny < 0 || ny % stride != 0 || ny / stride >= outH) {
        continue;
      }
      int oy = ny / stride;
      for (int kx = 0; kx < k; kx++) {
        int nx = x + pad - kx;
        if (nx < 0 || nx % stride != 0 || nx / stride >= outW) {
          continue;
        }
        int kb = ((c * k + ky) * k + kx) * outC;
        int ob = outOff + (oy * outW + nx / stride) * outC;
        for (int o = 0; o < outC; o++) {
          out[ob + o] += v * kT[kb + o];
        }
      }
    }
  }

  @Override
  public ConvLayer with(float weightScale, float[] newBias) {
    float[] t = kT.clone();
    for (int i = 0; i < t.length; i++) {
      t[i] *= weightScale;
    }
    return new ConvLayer(name, inC, inH, inW, outC, outH, outW, k, stride, pad, t, newBias.clone());
  }
}
