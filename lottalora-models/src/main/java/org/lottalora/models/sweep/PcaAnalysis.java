package org.lottalora.models.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lottalora.core.data.Dataset;
import org.lottalora.core.sweep.Pca;
import org.lottalora.core.sweep.RunResult;
import org.lottalora.core.sweep.SweepStore;
import org.lottalora.models.LottaModel;

/**
 * The PCA counts set beside r*: for the sweep's inputs, and for each finished full-training run, each hidden
 * layer's activations under the trained model and each layer's weight change {@code W_full - W_init} (the
 * initial weights are the backbone, regenerated from the run's seed). Activations use the first
 * {@value #ROWS} training rows, normalized as the model sees them. Dense (SameDiff) families only: for the
 * hand-written engines' families the list is empty.
 */
public final class PcaAnalysis {
  /** Rows used for the input and activation spectra. */
  public static final int ROWS = 10_000;

  private PcaAnalysis() {}

  /** The counts for every share in {@code shares} (e.g. 0.99 = 99% of the variance). */
  public static List<Pca.Count> of(SweepStore store, List<Double> shares) {
    List<Pca.Count> out = new ArrayList<>();
    List<RunResult> fulls = store.results().stream().filter(r -> r.spec().full()).toList();
    // the spectra read a dense model's hidden activations and weights; the engine families have none of that form
    boolean dense = org.lottalora.core.family.FamilyRegistry.get(store.config().family())
        instanceof org.lottalora.models.ModelFamily;
    if (fulls.isEmpty() || !dense) {
      return out;
    }
    Dataset train = RunTask.data(fulls.get(0).spec()).train().head(ROWS);
    boolean inputDone = false;
    for (RunResult r : fulls) {
      LottaModel m = LottaModel.load(store.artifact(r.spec()));
      Dataset x = train.normalized(m.normalization());
      if (!inputDone) {
        out.add(Pca.count("input", -1, Pca.covarianceSpectrum(x.features(), x.rows(), x.cols()), shares));
        inputDone = true;
      }
      Map<String, float[]> hidden = m.merged().hidden(train);
      for (Map.Entry<String, float[]> h : hidden.entrySet()) {
        int width = h.getValue().length / train.rows();
        out.add(Pca.count(h.getKey() + " activations", r.spec().seed(),
            Pca.covarianceSpectrum(h.getValue(), train.rows(), width), shares));
      }
      Map<String, float[]> trained = m.graph().trainedValues();
      for (String name : m.backbone().specs().keySet()) {
        int[] shape = m.backbone().specs().get(name).shape();
        if (shape.length != 2 || !trained.containsKey(name)) {
          continue;
        }
        float[] init = m.backbone().get(name);
        float[] fin = trained.get(name);
        float[] delta = new float[init.length];
        for (int i = 0; i < delta.length; i++) {
          delta[i] = fin[i] - init[i];
        }
        out.add(Pca.count(name.replace(".weight", "") + " weight change", r.spec().seed(),
            Pca.squaredSingularValues(delta, shape[0], shape[1]), shares));
      }
    }
    return out;
  }
}
