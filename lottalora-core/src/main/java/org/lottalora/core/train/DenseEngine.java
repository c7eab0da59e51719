package org.lottalora.core.train;

import org.lottalora.core.engine.SoftmaxCrossEntropy;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lottalora.core.graph.DenseStep;
import org.lottalora.core.graph.ModelGraph;
import org.lottalora.core.graph.TrainedTensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.lottalora.core.util.NdArrays;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.ThresholdReluBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward passes of a dense model, written by hand over the same parameter arrays as the
 * SameDiff graph: the fast training path. SameDiff 1.0.0-M2.1 spends most of a training step outside the
 * arithmetic (about 15 ms of graph bookkeeping per step for the medium MLP, and 3 ms more per broadcast
 * multiply by beta), which made it 10x slower than PyTorch; here a step is a fixed sequence of BLAS gemm
 * calls into preallocated buffers. Gradients are checked against SameDiff's own in the tests.
 *
 * <p>Loss: mean softmax cross-entropy over the batch. Not thread-safe; one engine per training run.
 */
public final class DenseEngine {
  private final List<DenseStep> plan;
  private final Map<String, INDArray> params = new HashMap<>();
  private final Map<String, INDArray> grads = new LinkedHashMap<>();
  private final Map<Long, Buffers> buffers = new HashMap<>();
  private final int classes;

  /**
   * @throws IllegalArgumentException if the graph has no dense plan
   */
  public DenseEngine(ModelGraph graph) {
    if (graph.densePlan() == null) {
      throw new IllegalArgumentException("this model has ops the dense engine does not implement");
    }
    this.plan = graph.densePlan();
    this.classes = graph.classes();
    SameDiff sd = graph.sameDiff();
    for (DenseStep s : plan) {
      if (s instanceof DenseStep.Affine a) {
        for (String n : new String[] {a.weight(), a.bias(), a.beta(), a.loraA(), a.loraB()}) {
          if (n != null) {
            params.put(n, sd.getVariable(n).getArr());
          }
        }
      }
    }
    for (TrainedTensor t : graph.trained()) {
      INDArray p = params.get(t.name());
      if (p == null) {
        throw new IllegalStateException("trained tensor " + t.name() + " is not in the dense plan");
      }
      grads.put(t.name(), Nd4j.create(DataType.FLOAT, p.shape()));
    }
  }

  /** Gradient buffers by parameter name, filled by {@link #step}; same shapes as the graph variables. */
  public Map<String, INDArray> gradients() {
    return grads;
  }

  /** The live parameter array of a trained tensor. */
  public INDArray param(String name) {
    return params.get(name);
  }

  /** Activations and their gradients for one batch size. */
  private static final class Buffers {
    final INDArray[] out;
    final INDArray[] base;
    final INDArray[] xa;
    final INDArray[] h;
    final INDArray[] dh;
    final INDArray[] dx;
    final INDArray[] tmp;
    final INDArray ones;
    INDArray dz;

    Buffers(List<DenseStep> plan, long n) {
      int k = plan.size();
      out = new INDArray[k];
      base = new INDArray[k];
      xa = new INDArray[k];
      h = new INDArray[k];
      dh = new INDArray[k];
      dx = new INDArray[k];
      tmp = new INDArray[k];
      ones = Nd4j.ones(DataType.FLOAT, 1, n);
      long width = -1;
      for (int i = 0; i < k; i++) {
        DenseStep s = plan.get(i);
        if (s instanceof DenseStep.Affine a) {
          out[i] = Nd4j.create(DataType.FLOAT, n, a.dOut());
          dx[i] = Nd4j.create(DataType.FLOAT, n, a.dIn());
          if (a.beta() != null) {
            base[i] = Nd4j.create(DataType.FLOAT, n, a.dOut());
          }
          if (a.loraA() != null) {
            // h and dh are [n, r]; their r comes from the A array (see buffers())
            xa[i] = a.adapterMask() != null ? Nd4j.create(DataType.FLOAT, n, a.dIn()) : null;
            tmp[i] = a.adapterMask() != null ? Nd4j.create(DataType.FLOAT, n, a.dIn()) : null;
          }
          width = a.dOut();
        } else {
          out[i] = Nd4j.create(DataType.FLOAT, n, width);
          dx[i] = Nd4j.create(DataType.FLOAT, n, width);
        }
      }
    }
  }

  private Buffers buffers(long n) {
    Buffers b = buffers.get(n);
    if (b == null) {
      b = new Buffers(plan, n);
      b.dz = Nd4j.create(DataType.FLOAT, n, classes);
      for (int i = 0; i < plan.size(); i++) {
        if (plan.get(i) instanceof DenseStep.Affine a && a.loraA() != null) {
          long r = params.get(a.loraA()).size(1);
          b.h[i] = Nd4j.create(DataType.FLOAT, n, r);
          b.dh[i] = Nd4j.create(DataType.FLOAT, n, r);
        }
      }
      buffers.put(n, b);
    }
    return b;
  }

  /** Logits [n, classes] for inputs x [n, features]; masks by placeholder name (null: no dropout). */
  public INDArray forward(INDArray x, Map<String, INDArray> masks) {
    Buffers b = buffers(x.size(0));
    INDArray in = x;
    for (int i = 0; i < plan.size(); i++) {
      DenseStep s = plan.get(i);
      INDArray out = b.out[i];
      if (s instanceof DenseStep.Affine a) {
        INDArray w = params.get(a.weight());
        boolean frozen = !a.weightTrained(); // frozen W is [dOut, dIn], trained W [dIn, dOut]
        if (a.beta() != null) {
          gemm(in, w, b.base[i], false, frozen, 1.0, 0.0); // [n, dOut]
          b.base[i].mul(params.get(a.beta()).getDouble(0), out);
        } else {
          gemm(in, w, out, false, frozen, 1.0, 0.0);
        }
        if (a.loraA() != null) {
          INDArray xa = in;
          if (a.adapterMask() != null) {
            xa = in.mul(mask(masks, a.adapterMask()), b.xa[i]);
          }
          gemm(xa, params.get(a.loraA()), b.h[i], false, false, 1.0, 0.0); // [n, r]
          gemm(b.h[i], params.get(a.loraB()), out, false, false, a.scaling(), 1.0);
        }
        out.addiRowVector(params.get(a.bias()));
      } else if (s instanceof DenseStep.Relu) {
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(in, out, 0.0));
      } else if (s instanceof DenseStep.Dropout d) {
        in.mul(mask(masks, d.mask()), out);
      }
      in = out;
    }
    return in;
  }

  /**
   * {@code c = alpha * op(a) op(b) + beta * c} on plain c-order arrays, straight into OpenBLAS: ND4J's
   * {@code Nd4j.gemm} adds 30-100 us of Java-side checks per call, more than the arithmetic of an adapter's
   * rank-r products.
   */
  private static void gemm(INDArray a, INDArray b, INDArray c, boolean ta, boolean tb, double alpha,
      double beta) {
    int m = (int) (ta ? a.size(1) : a.size(0));
    int k = (int) (ta ? a.size(0) : a.size(1));
    int n = (int) (tb ? b.size(0) : b.size(1));
    if ((tb ? b.size(1) : b.size(0)) != k || c.size(0) != m || c.size(1) != n) {
      throw new IllegalStateException("gemm shapes " + java.util.Arrays.toString(a.shape()) + " x "
          + java.util.Arrays.toString(b.shape()) + " -> " + java.util.Arrays.toString(c.shape()));
    }
    gemmRaw(ta, tb, m, n, k, (float) alpha, a, (int) a.size(1), b, (int) b.size(1), (float) beta, c, n);
  }

  private static void gemmRaw(boolean ta, boolean tb, int m, int n, int k, float alpha, INDArray a, int lda,
      INDArray b, int ldb, float beta, INDArray c, int ldc) {
    openblas.cblas_sgemm(openblas.CblasRowMajor, ta ? openblas.CblasTrans : openblas.CblasNoTrans,
        tb ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, ptr(a), lda, ptr(b), ldb, beta, ptr(c),
        ldc);
  }

  private static FloatPointer ptr(INDArray x) {
    if (x.ordering() != 'c' || x.offset() != 0 || x.isView() || x.dataType() != DataType.FLOAT) {
      throw new IllegalStateException("dense engine arrays must be plain c-order float arrays");
    }
    return (FloatPointer) x.data().addressPointer();
  }

  private static INDArray mask(Map<String, INDArray> masks, String name) {
    INDArray m = masks == null ? null : masks.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no dropout mask fed for " + name);
    }
    return m;
  }

  /**
   * One forward and backward pass: fills {@link #gradients()} with the gradient of the mean cross-entropy.
   *
   * @param x inputs [n, features]
   * @param labels one label per row
   * @param masks dropout masks by placeholder name
   * @return {sum of per-sample losses, number of correct arg-max predictions}
   */
  public double[] step(INDArray x, int[] labels, Map<String, INDArray> masks) {
    long n = x.size(0);
    Buffers b = buffers(n);
    INDArray logits = forward(x, masks);
    float[] z = NdArrays.read(logits);
    float[] dz = new float[z.length];
    SoftmaxCrossEntropy.Result ce = SoftmaxCrossEntropy.of(z, classes, labels, null, dz);
    double[] lossAndCorrect = {ce.lossSum(), ce.correct()};
    INDArray dy = b.dz;
    NdArrays.write(dz, dy);
    for (int i = plan.size() - 1; i >= 0; i--) {
      DenseStep s = plan.get(i);
      INDArray in = i == 0 ? x : b.out[i - 1];
      boolean needDx = i > 0;
      INDArray dx = b.dx[i];
      if (s instanceof DenseStep.Affine a) {
        backAffine(a, i, b, in, dy, needDx ? dx : null, masks);
      } else if (s instanceof DenseStep.Relu) {
        if (needDx) {
          // one fused op: dx = dy where the ReLU was active (its output > 0), else 0
          Nd4j.exec(new ThresholdReluBp(b.out[i], dy, dx, 0.0));
        }
      } else if (s instanceof DenseStep.Dropout d) {
        if (needDx) {
          dy.mul(mask(masks, d.mask()), dx);
        }
      }
      dy = dx;
    }
    return lossAndCorrect;
  }

  private void backAffine(DenseStep.Affine a, int i, Buffers b, INDArray in, INDArray dy, INDArray dx,
      Map<String, INDArray> masks) {
    INDArray w = params.get(a.weight());
    if (a.biasTrained()) {
      // column sums as ones[1, n] x dy: a gemm, far cheaper than M2.1's reduction op here
      gemmRaw(false, false, 1, a.dOut(), (int) dy.size(0), 1f, b.ones, (int) dy.size(0), dy, a.dOut(), 0f,
          grads.get(a.bias()), a.dOut());
    }
    if (a.weightTrained()) {
      gemm(in, dy, grads.get(a.weight()), true, false, 1.0, 0.0); // [dIn, dOut]
    }
    double beta = 1.0;
    if (a.beta() != null) {
      beta = params.get(a.beta()).getDouble(0);
      // d(beta) = sum(dy * base), as a 1x1 gemm of the flattened arrays straight into the gradient buffer
      // (M2.1's reductions cost about 1 ms each here, BLAS does it in microseconds)
      int nn = (int) dy.length();
      gemmRaw(false, false, 1, 1, nn, 1f, dy, nn, b.base[i], 1, 0f, grads.get(a.beta()), 1);
    }
    INDArray xa = in;
    if (a.loraA() != null) {
      xa = a.adapterMask() != null ? b.xa[i] : in;
      INDArray at = params.get(a.loraA());
      INDArray bt = params.get(a.loraB());
      gemm(b.h[i], dy, grads.get(a.loraB()), true, false, a.scaling(), 0.0); // [r, dOut]
      gemm(dy, bt, b.dh[i], false, true, a.scaling(), 0.0); // [n, r]
      gemm(xa, b.dh[i], grads.get(a.loraA()), true, false, 1.0, 0.0); // [dIn, r]
    }
    if (dx == null) {
      return;
    }
    gemm(dy, w, dx, false, a.weightTrained(), beta, 0.0); // [n, dIn]; frozen W is already [dOut, dIn]
    if (a.loraA() != null) {
      INDArray at = params.get(a.loraA());
      if (a.adapterMask() != null) {
        gemm(b.dh[i], at, b.tmp[i], false, true, 1.0, 0.0);
        b.tmp[i].muli(mask(masks, a.adapterMask()));
        dx.addi(b.tmp[i]);
      } else {
        gemm(b.dh[i], at, dx, false, true, 1.0, 1.0);
      }
    }
  }
}
