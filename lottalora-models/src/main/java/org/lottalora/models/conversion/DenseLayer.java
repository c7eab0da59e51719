package org.lottalora.models.conversion;

/**
 * A fully connected layer {@code z = W x + b}, the weight held transposed ([dIn, dOut], row-major) so that one
 * input value or spike adds one contiguous row to the output.
 *
 * @param wT W^T [dIn, dOut], row-major
 * @param bias b [dOut]
 */
public record DenseLayer(String name, int dIn, int dOut, float[] wT, float[] bias) implements ReluLayer {
  /** Checks the array sizes. */
  public DenseLayer {
    if (wT.length != (long) dIn * dOut || bias.length != dOut) {
      throw new IllegalArgumentException("layer '" + name + "': " + wT.length + " weights and " + bias.length
          + " biases do not fit " + dIn + " -> " + dOut);
    }
  }

  /** The layer of a canonical [dOut, dIn] row-major weight and its bias. */
  public static DenseLayer of(String name, int dIn, int dOut, float[] w, float[] bias) {
    float[] t = new float[dIn * dOut];
    for (int o = 0; o < dOut; o++) {
      for (int i = 0; i < dIn; i++) {
        t[i * dOut + o] = w[o * dIn + i];
      }
    }
    return new DenseLayer(name, dIn, dOut, t, bias.clone());
  }

  @Override
  public int inSize() {
    return dIn;
  }

  @Override
  public int outSize() {
    return dOut;
  }

  @Override
  public void accumulate(float[] in, int inOff, float[] out, int outOff) {
    for (int i = 0; i < dIn; i++) {
      float v = in[inOff + i];
      if (v == 0f) {
        continue;
      }
      int row = i * dOut;
      for (int o = 0; o < dOut; o++) {
        out[outOff + o] += v * wT[row + o];
      }
    }
  }

  @Override
  public void addSpikes(int[] spikes, int count, float[] out, int outOff) {
    for (int s = 0; s < count; s++) {
      int row = spikes[s] * dOut;
      for (int o = 0; o < dOut; o++) {
        out[outOff + o] += wT[row + o];
      }
    }
  }

  @Override
  public DenseLayer with(float weightScale, float[] newBias) {
    float[] t = wT.clone();
    for (int i = 0; i < t.length; i++) {
      t[i] *= weightScale;
    }
    return new DenseLayer(name, dIn, dOut, t, newBias.clone());
  }
}
