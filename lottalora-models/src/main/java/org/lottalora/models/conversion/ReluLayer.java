package org.lottalora.models.conversion;

/**
 * One affine layer of a converted network, {@code z = W x + b} over flat per-sample vectors, as the ANN and its
 * spiking twin both use it: the ANN follows every layer but the last with a ReLU, the SNN feeds {@code z} to
 * integrate-and-fire neurons as their input current. The bias is stored per output unit (a convolution's is a full
 * [height, width, channels] map), so that folding the input normalisation into a zero-padded convolution stays
 * exact at the borders. Products skip zero inputs: a spike vector or a ReLU output is mostly zeros, so the cost
 * follows the activity, which is the point of a spiking network.
 */
public sealed interface ReluLayer permits DenseLayer, ConvLayer {
  /** The layer's name ({@code layers.0}, {@code convs.3}, {@code head}). */
  String name();

  /** Values per sample in. */
  int inSize();

  /** Values per sample out. */
  int outSize();

  /** The bias per output unit, [outSize] (read-only). */
  float[] bias();

  /** {@code out[outOff..] += W in[inOff..]}: the product alone, no bias; zero inputs cost nothing. */
  void accumulate(float[] in, int inOff, float[] out, int outOff);

  /** {@code out[outOff..] += W e} for the 0/1 vector e with ones at {@code spikes[0..count)}: a spike volley. */
  void addSpikes(int[] spikes, int count, float[] out, int outOff);

  /** This layer with its weights times {@code weightScale} and the given bias [outSize]. */
  ReluLayer with(float weightScale, float[] bias);
}
