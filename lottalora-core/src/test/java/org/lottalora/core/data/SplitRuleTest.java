package org.lottalora.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The split rule of lottalora-core/docs/backbone-stream.md section 5.1, checked against its published vectors
 * (computed from the document's text alone with numpy's Philox, not by this code).
 */
class SplitRuleTest {

  @Test
  void permutationMatchesThePublishedVectors() {
    assertArrayEquals(new int[] {2, 4, 7, 1, 5, 9, 3, 6, 8, 0}, Dataset.permutation(10, 5, "split/digits"));
    assertArrayEquals(new int[] {2, 4, 8, 0, 9, 6, 7, 3, 1, 5}, Dataset.permutation(10, -3, "split/digits"));
  }

  @Test
  void digitsSplitFollowsTheDocumentedRule() {
    Dataset all = Datasets.digits();
    DataSplits d = Datasets.load("digits", Datasets.Options.defaults());
    // 1,797 rows: round(359.4) = 359 test rows, round(143.8) = 144 of the remaining 1,438 for validation
    assertEquals(359, d.test().rows());
    assertEquals(144, d.validation().rows());
    assertEquals(1294, d.train().rows());
    // test = the first 359 entries of the permutation "split/digits", in permutation order
    int[] firstTest = {1523, 662, 351, 1310, 1286, 1487, 668, 731};
    assertArrayEquals(Arrays.copyOf(Dataset.permutation(1797, 0, "split/digits"), 8), firstTest);
    assertRows(all, firstTest, d.test());
    // validation = rows of the trainval part picked by "split/digits/trainval"; as rows of the whole file:
    assertRows(all, new int[] {203, 342, 567, 1275, 1170, 585, 1014, 830}, d.validation());
  }

  private static void assertRows(Dataset all, int[] rows, Dataset part) {
    int c = all.cols();
    for (int i = 0; i < rows.length; i++) {
      assertArrayEquals(Arrays.copyOfRange(all.features(), rows[i] * c, rows[i] * c + c),
          Arrays.copyOfRange(part.features(), i * c, i * c + c), "row " + i + " of " + part.name());
      assertEquals(all.labels()[rows[i]], part.labels()[i]);
    }
  }
}
