package org.lottalora.models.snn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Label assignment, the all-activity and proportion rules, and the n-gram rule on hand-made activity. */
class ReadoutRulesTest {
  @Test
  void assignmentFollowsTheMeanRatePerClass() {
    int[][] counts = {{4, 0, 1}, {2, 0, 1}, {0, 5, 1}, {0, 0, 0}};
    int[] labels = {0, 0, 1, 1};
    LabelAssignment a = LabelAssignment.fit(counts, labels, 2);
    assertArrayEquals(new int[] {0, 1, 0}, a.assignments(), "neuron 2 fires 1 and 0.5 per class: class 0");
    assertEquals(3f, a.rates()[0][0]);
    assertEquals(2.5f, a.rates()[1][1]);
    assertEquals(2f / 3, a.proportions()[2][0], 1e-6);
    assertEquals(0, a.allActivity(new int[] {3, 1, 0}));
    assertEquals(1, a.allActivity(new int[] {0, 4, 1}), "class 0's mean is 0.5, class 1's 4");
    assertEquals(-1, a.allActivity(new int[] {0, 0, 0}), "silence: no answer");
    assertEquals(1, a.proportionWeighting(new int[] {0, 4, 1}));
    assertArrayEquals(new int[] {2, 1}, a.perClass());
    LabelAssignment back = SnnArtifact.fromRates(a.rates(), 2);
    assertArrayEquals(a.assignments(), back.assignments());
  }

  @Test
  void ngramsVoteWithTheLabelsTheyWereSeenWith() {
    int[][] orders = {{1, 2, 3}, {1, 2, 4}, {3, 2, 1}};
    int[] labels = {0, 0, 1};
    NGram g = NGram.fit(2, 2, orders, labels);
    assertEquals(5, g.size(), "(1,2) (2,3) (2,4) (3,2) (2,1)");
    assertEquals(0, g.predict(new int[] {1, 2}));
    assertEquals(1, g.predict(new int[] {3, 2, 1}));
    assertEquals(-1, g.predict(new int[] {7, 8}));
    float[][] flat = g.flatten();
    NGram back = NGram.unflatten(2, 2, flat[0], flat[1]);
    assertEquals(g.size(), back.size());
    assertEquals(0, back.predict(new int[] {2, 4}));
  }
}
