package org.lottalora.core.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Decoupled weight decay for SameDiff's own {@code fit} (the CNN and the variant MLPs), limited to the tensors
 * {@link WeightDecay#appliesTo} names: M2.1's {@code TrainingConfig.weightDecay} would decay every trainable
 * variable (betas, biases, norms). Before a step it keeps {@code lr * wd * p} of each decayed variable, after the
 * Adam update it subtracts it, so the step is {@code p - update - lr wd p}, as PyTorch's AdamW and DL4J's own
 * {@code WeightDecay} compute it (lr from the same schedule, at SameDiff's iteration count).
 */
final class DecayListener extends BaseListener {
  private final CosineSchedule schedule;
  private final double wd;
  private final Map<String, INDArray> pending = new LinkedHashMap<>();
  private List<String> names; // found once: a graph's variables do not change while it trains

  DecayListener(CosineSchedule schedule, double wd) {
    this.schedule = schedule;
    this.wd = wd;
  }

  /** The trainable variables of {@code sd} the rule decays. */
  static List<String> decayed(SameDiff sd) {
    List<String> out = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && WeightDecay.appliesTo(v.name())) {
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
    before(sd, schedule.at(at.iteration()));
  }

  @Override
  public void iterationDone(SameDiff sd, At at, MultiDataSet data, Loss loss) {
    after(sd);
  }

  /** Keeps {@code lr * wd * p} of every decayed variable (before the update changes p). */
  void before(SameDiff sd, double lr) {
    pending.clear();
    if (names == null) {
      names = decayed(sd);
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
