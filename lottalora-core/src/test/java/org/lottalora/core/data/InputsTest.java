package org.lottalora.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.lottalora.core.LottaException;

/** Samples for prediction from CSV text: with or without labels, headers, and the errors that name the line. */
class InputsTest {
  static Inputs csv(String text, int features) throws Exception {
    return Inputs.csv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "in", features);
  }

  @Test
  void readsFeaturesWithAndWithoutLabels() throws Exception {
    Inputs plain = csv("a,b,c\n1,2,3\n\n4 5 6\n", 3);
    assertEquals(2, plain.rows().length);
    assertArrayEquals(new float[] {4, 5, 6}, plain.rows()[1]);
    assertNull(plain.labels());
    Inputs labelled = csv("1,2,3,7\n4,5,6,1\n", 3);
    assertArrayEquals(new int[] {7, 1}, labelled.labels());
  }

  @Test
  void errorsNameTheLineAndTheProblem() {
    LottaException e = assertThrows(LottaException.class, () -> csv("1,2\n", 3));
    assertTrue(e.getMessage().contains("line 1: 2 values") && e.getMessage().contains("3 features"), e.getMessage());
    e = assertThrows(LottaException.class, () -> csv("1,2,3\n1,2,3,4\n", 3));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    e = assertThrows(LottaException.class, () -> csv("1,2,x\n", 3));
    assertTrue(e.getMessage().contains("'x' is not a number"), e.getMessage());
    e = assertThrows(LottaException.class, () -> csv("1,2,NaN\n", 3));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    assertThrows(LottaException.class, () -> csv("\n", 3));
  }
}
