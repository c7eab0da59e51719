package org.lottalora.core.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import java.util.function.Predicate;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Decoupled weight decay for SameDiff's own {@code fit} (the CNN and the variant MLPs of {@code train}, adapters on a
 * user's graph), limited to the variables a rule names ({@link WeightDecay#appliesTo} for the toolkit's own tensor
 * names): M2.1's {@code TrainingConfig.weightDecay} would decay every trainable variable (betas, biases, norms,
 * DoRA magnitudes). Before a step it keeps {@code lr * wd * p} of each decayed variable, after the Adam update it
 * subtracts it, so the step is {@code p - update - lr wd p}, as PyTorch's AdamW and DL4J's own {@code WeightDecay}
 * compute it (lr from the same schedule, at SameDiff's iteration count).
 */
public final class DecayListener extends BaseListener {
  private final LongToDoubleFunction lrAt;
  private final double wd;
  private final Predicate<String> decays;
  private final Map<String, INDArray> pending = new LinkedHashMap<>();
  private List<String> names; // found once: a graph's variables do not change while it trains

  DecayListener(CosineSchedule schedule, double wd) {
    this(schedule::at, wd, WeightDecay::appliesTo);
  }

  /**
   * Decay {@code wd} at the learning rate {@code lrAt} gives for SameDiff's iteration count, on the trainable
   * variables whose name {@code decays} accepts.
   */
  public DecayListener(LongToDoubleFunction lrAt, double wd, Predicate<String> decays) {
    this.lrAt = lrAt;
    this.wd = wd;
    this.decays = decays;
  }

  /** The trainable variables of {@code sd} the toolkit's rule decays. */
  static List<String> decayed(SameDiff sd) {
    return decayed(sd, WeightDecay::appliesTo);
  }

  private static List<String> decayed(SameDiff sd, Predicate<String> decays) {
    List<String> out = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && decays.test(v.name())) {
        out.add(v.name());
      }
    }
    return out;
  }

  @Override
  public boolean isActive(Operation operation) {
    return operation == Operation.TRAINING;
  }

  @Override
  public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlMs) {
    before(sd, lrAt.applyAsDouble(at.iteration()));
  }

  @Override
  public void iterationDone(SameDiff sd, At at, MultiDataSet data, Loss loss) {
    after(sd);
  }

  /** Keeps {@code lr * wd * p} of every decayed variable (before the update changes p). */
  void before(SameDiff sd, double lr) {
    pending.clear();
    if (names == null) {
      names = decayed(sd, decays);
    }
    for (String name : names) {
      pending.put(name, sd.getArrForVarName(name).mul(lr * wd));
    }
  }

  /** Subtracts what {@link #before} kept. */
  void after(SameDiff sd) {
    pending.forEach((name, d) -> sd.getArrForVarName(name).subi(d));
    pending.clear();
  }
}
