package org.lottalora.models.snn;

/**
 * What an unsupervised layer's neurons mean, learned from labelled activity (BindsNET's {@code assign_labels}): each
 * neuron's mean spike count per class ({@code rates}), its class (the argmax; -1 for a neuron that never fired) and
 * its {@code proportions} (rates over their sum). Two of the evaluation rules live here: all-activity (the class
 * whose neurons fired most on average) and proportion weighting (spikes weighted by each neuron's proportion for
 * the class, averaged over the class's neurons).
 *
 * @param classes how many classes
 * @param rates [neuron][class] mean spikes per presentation of the class
 * @param assignments [neuron] the class, or -1
 * @param proportions [neuron][class]
 */
public record LabelAssignment(int classes, float[][] rates, int[] assignments, float[][] proportions) {

  /** Fits from per-example spike counts [example][neuron] and labels. */
  public static LabelAssignment fit(int[][] counts, int[] labels, int classes) {
    int n = counts.length == 0 ? 0 : counts[0].length;
    double[][] sum = new double[n][classes];
    int[] perClass = new int[classes];
    for (int e = 0; e < counts.length; e++) {
      perClass[labels[e]]++;
      for (int j = 0; j < n; j++) {
        sum[j][labels[e]] += counts[e][j];
      }
    }
    float[][] rates = new float[n][classes];
    float[][] prop = new float[n][classes];
    int[] assign = new int[n];
    for (int j = 0; j < n; j++) {
      double total = 0;
      int best = -1;
      double bestRate = 0;
      for (int k = 0; k < classes; k++) {
        rates[j][k] = perClass[k] == 0 ? 0 : (float) (sum[j][k] / perClass[k]);
        total += rates[j][k];
        if (rates[j][k] > bestRate) {
          bestRate = rates[j][k];
          best = k;
        }
      }
      assign[j] = best;
      for (int k = 0; k < classes; k++) {
        prop[j][k] = total == 0 ? 0 : (float) (rates[j][k] / total);
      }
    }
    return new LabelAssignment(classes, rates, assign, prop);
  }

  /** All-activity rule: the class with the highest mean spike count over its assigned neurons; -1 if silent. */
  public int allActivity(int[] counts) {
    double[] score = new double[classes];
    int[] members = new int[classes];
    for (int j = 0; j < counts.length; j++) {
      if (assignments[j] >= 0) {
        score[assignments[j]] += counts[j];
        members[assignments[j]]++;
      }
    }
    for (int k = 0; k < classes; k++) {
      score[k] = members[k] == 0 ? 0 : score[k] / members[k];
    }
    return argmax(score);
  }

  /** Proportion weighting: spikes times each neuron's proportion for the class, averaged over the class's neurons. */
  public int proportionWeighting(int[] counts) {
    double[] score = new double[classes];
    int[] members = new int[classes];
    for (int j = 0; j < counts.length; j++) {
      if (assignments[j] >= 0) {
        members[assignments[j]]++;
      }
    }
    for (int j = 0; j < counts.length; j++) {
      int k = assignments[j];
      if (k >= 0) {
        score[k] += proportions[j][k] * counts[j];
      }
    }
    for (int k = 0; k < classes; k++) {
      score[k] = members[k] == 0 ? 0 : score[k] / members[k];
    }
    return argmax(score);
  }

  /** Neurons assigned to each class. */
  public int[] perClass() {
    int[] c = new int[classes];
    for (int a : assignments) {
      if (a >= 0) {
        c[a]++;
      }
    }
    return c;
  }

  /** The index of the largest score; -1 when every score is 0 (no evidence). */
  static int argmax(double[] score) {
    int best = -1;
    double b = 0;
    for (int k = 0; k < score.length; k++) {
      if (score[k] > b) {
        b = score[k];
        best = k;
      }
    }
    return best;
  }
}
