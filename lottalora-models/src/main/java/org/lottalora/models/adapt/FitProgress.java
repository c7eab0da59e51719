package org.lottalora.models.adapt;

import java.util.Locale;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The SameDiff listener behind {@link AdaptedGraph#fit}: reports examples done, rate and ETA while a wrapped
 * graph trains, a line per epoch, and writes the checkpoint artifact at the end of every epoch. (M2.1 hands
 * listeners a loss of 0, so no loss is printed; evaluate on held-out data instead.)
 */
final class FitProgress extends BaseListener {
  private final AdaptedGraph owner;
  private final AdaptedGraph.FitOptions options;
  private final int epochs;
  private final int first;
  private final long perEpoch;
  private final long batches;
  private long done;
  private long epochStart;
  private long start;

  FitProgress(AdaptedGraph owner, DataSetIterator train, int done, int total, AdaptedGraph.FitOptions options) {
    this.owner = owner;
    this.options = options;
    this.first = done;
    this.epochs = total;
    long n = 0;
    long b = 0;
    if (train.resetSupported()) {
      train.reset();
      while (train.hasNext()) {
        n += train.next().numExamples();
        b++;
      }
      train.reset();
    }
    this.perEpoch = n;
    this.batches = b;
  }

  /** Batches per epoch (0 when the iterator cannot be reset and counted). */
  long batchesPerEpoch() {
    return batches;
  }

  @Override
  public boolean isActive(Operation operation) {
    return operation == Operation.TRAINING;
  }

  @Override
  public void epochStart(SameDiff sd, At at) {
    epochStart = System.nanoTime();
    if (start == 0) {
      start = epochStart;
    }
  }

  @Override
  public void iterationDone(SameDiff sd, At at, MultiDataSet data, Loss loss) {
    done += data.getFeatures(0).size(0);
    if (perEpoch > 0) {
      options.progress().work("training", done, perEpoch * (epochs - first), start);
    }
  }

  @Override
  public ListenerResponse epochEnd(SameDiff sd, At at, LossCurve lossCurve, long epochTimeMillis) {
    owner.epochDone();
    double sec = (System.nanoTime() - epochStart) / 1e9;
    long n = perEpoch > 0 ? perEpoch : done;
    String saved = "";
    if (options.checkpoint() != null) {
      owner.save(options.checkpoint());
      saved = "  saved " + options.checkpoint();
    }
    options.progress().say(String.format(Locale.ROOT, "epoch %d/%d  %.1fs  %,.0f samples/s%s", owner.epochsTrained(), epochs,
        sec, n / Math.max(sec, 1e-9), saved));
    return ListenerResponse.CONTINUE;
  }
}
