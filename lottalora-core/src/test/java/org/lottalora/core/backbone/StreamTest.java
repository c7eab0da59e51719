package org.lottalora.core.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Known-answer tests for Philox4x64-10, FNV-1a and the keyed stream, against Random123 and numpy. */
class StreamTest {

  @Test
  void philoxMatchesRandom123KnownAnswers() {
    long[] out = new long[4];
    Philox4x64.block(0, 0, 0, 0, 0, 0, out, 0);
    assertArrayEquals(new long[] {0x16554d9eca36314cL, 0xdb20fe9d672d0fdcL, 0xd7e772cee186176bL,
        0x7e68b68aec7ba23bL}, out);
    Philox4x64.block(-1, -1, -1, -1, -1, -1, out, 0);
    assertArrayEquals(new long[] {0x87b092c3013fe90bL, 0x438c3c67be8d0224L, 0x9cc7d7c69cd777b6L,
        0xa09caebf594f0ba0L}, out);
  }

  @Test
  void philoxMatchesRandom123OnDigitsOfPi() {
    long[] out = new long[4];
    Philox4x64.block(0x243f6a8885a308d3L, 0x13198a2e03707344L, 0xa4093822299f31d0L, 0x082efa98ec4e6c89L,
        0x452821e638d01377L, 0xbe5466cf34e90c6cL, out, 0);
    assertArrayEquals(new long[] {0xa528f45403e61d95L, 0x38c72dbd566e9788L, 0xa5a1610e72fd18b5L,
        0x57bd43b5e52b7fe6L}, out);
  }

  @Test
  void fnvOfKnownStrings() {
    assertEquals(0xcbf29ce484222325L, Fnv1a64.hash(""));
    assertEquals(0xaf63dc4c8601ec8cL, Fnv1a64.hash("a"));
    assertEquals(0x718a5d75ec8bf0d9L, Fnv1a64.hash("layers.0.weight"));
    assertEquals(0x6358f90813727245L, Fnv1a64.hash("блок.0"));
  }

  @Test
  void streamEqualsNumpyPhiloxRawWords() {
    // from benchmarks/scripts/philox_numpy_check.py (numpy's own Philox)
    assertWords(42, "layers.0.weight", 0x690b701a6c7ab681L, 0xbfc52b10d86b28ccL, 0x0167a27acca3ae91L,
        0x1b1d1f638a17aa7aL, 0x500f5843cbbc32cbL, 0xf7a21ebce8965210L, 0xa8e210a9ca8f9aa0L,
        0x05a9a3701caacbc4L, 0x826da11db0720fbdL);
    assertWords(0x8000000000000005L, "head.weight", 0x6a6b129d34468ee6L, 0x58aeea0e59a1188aL,
        0x50b55eee3f5cc728L, 0x2feac0970179569fL, 0x2390814f0b4ca695L);
    assertWords(7, "блок.0", 0x40a59e23393297e2L, 0x989ff8c2c14fd8b4L, 0xefffeac3ee61d5bdL);
  }

  private static void assertWords(long seed, String name, long... expected) {
    Stream s = new Stream(seed, name);
    long[] got = new long[expected.length];
    s.words(0, got, got.length);
    assertArrayEquals(expected, got);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], s.word(i), "word " + i);
    }
    // an unaligned slice gives the same words as the full run
    long[] tail = new long[expected.length - 3];
    s.words(3, tail, tail.length);
    for (int i = 0; i < tail.length; i++) {
      assertEquals(expected[i + 3], tail[i]);
    }
  }

  @Test
  void uniformFollowsTheSpecIncludingItsRoundingAtTheTop() {
    assertEquals(0.5 * 0x1.0p-53, Stream.uniform(0L));
    // (2^53 - 1) + 0.5 is not a double: it rounds to even, 2^53, so the top word maps to exactly 1.0
    assertEquals(1.0, Stream.uniform(-1L));
    assertEquals(1.0 - 0x1.0p-52, Stream.uniform(-1L << 12)); // 2^53 - 1.5 rounds to 2^53 - 2
    assertTrue(Stream.uniform(0L) > 0.0);
  }

  @Test
  void normalsOfAnySliceMatchTheFullRun() {
    Stream s = new Stream(3, "x");
    double[] full = new double[37];
    s.normals(0, full, full.length);
    for (int start = 0; start < 10; start++) {
      double[] part = new double[9];
      s.normals(start, part, part.length);
      for (int i = 0; i < part.length; i++) {
        assertEquals(full[start + i], part[i], 0.0, "start " + start + " i " + i);
      }
    }
  }

  /** Bulk words from any start and of any length are exactly the words one at a time. */
  @Test
  void bulkWordsFromAnyStartEqualOneWordAtATime() {
    Stream s = new Stream(-5, "layers.3.weight");
    for (long start = 0; start < 9; start++) {
      for (int n = 0; n < 23; n++) {
        long[] w = new long[n];
        s.words(start, w, n);
        for (int i = 0; i < n; i++) {
          assertEquals(s.word(start + i), w[i], "start " + start + " n " + n + " i " + i);
        }
      }
    }
  }

  /** Bulk normals equal Box-Muller one pair at a time. */
  @Test
  void bulkNormalsEqualOnePairAtATime() {
    Stream s = new Stream(11, "w");
    double[] bulk = new double[1000];
    s.normals(0, bulk, bulk.length);
    double[] pair = new double[2];
    for (int p = 0; p < 500; p++) {
      Stream.normalPair(s.word(2L * p), s.word(2L * p + 1), pair);
      assertEquals(pair[0], bulk[2 * p], 0.0, "pair " + p);
      assertEquals(pair[1], bulk[2 * p + 1], 0.0, "pair " + p);
    }
  }

  @Test
  void inPlaceScaledFillsEqualTheReferenceDrawsAtAnyOffsetAndLength() {
    Stream s = new Stream(99L, "blocks.3.w");
    int total = 3000;
    double[] z = new double[total];
    s.normals(0, z, total);
    long[] w = new long[total];
    s.words(0, w, total);
    for (long start : new long[] {0, 1, 2, 3, 5, 1023, 1024, 1025, 2047}) {
      for (int n : new int[] {1, 2, 3, 4, 7, 1024, 1025, 2049, total - 2048}) {
        if (start + n > total) {
          continue;
        }
        float[] got = new float[n + 5];
        s.scaledNormals(start, got, 5, n, 0.37);
        float[] uni = new float[n + 3];
        s.symmetricUniforms(start, uni, 3, n, 0.11);
        long[] words = new long[n + 2];
        s.words(start, words, 2, n);
        for (int i = 0; i < n; i++) {
          int at = (int) start + i;
          assertEquals(Float.floatToRawIntBits((float) (0.37 * z[at])), Float.floatToRawIntBits(got[5 + i]),
              "normal start " + start + " n " + n + " i " + i);
          assertEquals(Float.floatToRawIntBits((float) (0.11 * (2.0 * Stream.uniform(w[at]) - 1.0))),
              Float.floatToRawIntBits(uni[3 + i]), "uniform start " + start + " n " + n + " i " + i);
          assertEquals(w[at], words[2 + i], "word start " + start + " n " + n + " i " + i);
        }
        assertEquals(0f, got[4], "nothing written before the offset");
      }
    }
  }
}
