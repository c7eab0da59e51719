package org.lottalora.core.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of lottalora-core/docs/backbone-stream.md section 6.1: keys whose two words lie on both sides of
 * 2^63, and negative seeds. The expected words and values were computed with numpy's Philox (key passed as a uint64
 * array) and Python's libm by benchmarks/scripts/philox_numpy_check.py, not by this code, so the Java stream, the
 * doc and numpy are pinned together; a plain Python list key would have given other words for the mixed cases.
 */
class StraddlingKeyTest {

  @Test
  void seedBelowAndNameHashAbove2To63() {
    assertEquals(0x90ac2f3f26bb4508L, Fnv1a64.hash("layers.1.weight"));
    check(42, "layers.1.weight",
        new long[] {0xa7bc30c7187a4f0bL, 0xfcb42410092a030bL, 0xaed8232fe3fddfe9L, 0x0a44726b09b02486L,
            0xad07cd62066ef275L, 0x699c16e5a3f8316dL, 0xa716ced26aa8e256L, 0xd7658a511fff7145L},
        0.32404864f, -0.026274174f, 0.29898876f, 0.076981395f);
  }

  @Test
  void negativeSeedAboveAndNameHashBelow2To63() {
    // seed -1 is the key word 0xffffffffffffffff
    check(-1, "layers.0.weight",
        new long[] {0xb4a0bf27fa2beb6eL, 0x1e3fcec60c4c6f4eL, 0xf503a03315dbe599L, 0xa7866a498b4649e5L,
            0x20f28827fae494dfL, 0xe957a52eef3efde6L, 0x1a7e90304c4b8990L, 0x8f317ee542bc6265L},
        0.21756375f, 0.19962609f, -0.059187826f, -0.08638378f);
  }

  @Test
  void negativeSeedAndNameHashBothAbove2To63() {
    assertEquals(0xd2cea44474c6e4f3L, Fnv1a64.hash("head.weight"));
    check(-7, "head.weight",
        new long[] {0x4e94b70e5fb7963dL, 0xe582a34eef6aa549L, 0x5b98f02f2f3ff6d9L, 0x3f5b8a6a092c3420L,
            0xda2a1a7f9c00f3c7L, 0xe1a9eb755b1b9a8aL, 0xb3816adc62f255b6L, 0x2ddd01563a2eabf8L},
        0.43252528f, -0.3289134f, 0.007992071f, 0.506833f);
  }

  @Test
  void mostNegativeSeedIsExactly2To63() {
    assertTrue(Fnv1a64.hash("layers.0.bias") > 0, "the name hash lies below 2^63");
    check(Long.MIN_VALUE, "layers.0.bias",
        new long[] {0xd11e2bfdd2c50414L, 0x95c3ab6495c77042L, 0xc27040f4d80281fcL, 0x4947af5d3c3a3037L,
            0x895ec0c5d135c4c9L, 0x22a90ba5df2dd3bcL, 0x817005f5a1845ae6L, 0xda4e20a4943cf4c4L},
        -0.19354928f, -0.11449251f, -0.059212342f, 0.25545898f);
  }

  /** Raw words 0..7, then the first four values of {@code normal} (sigma 1, fan-in rule) for shape [8, 8]. */
  private static void check(long seed, String name, long[] words, float... normal) {
    long[] got = new long[words.length];
    new Stream(seed, name).words(0, got, got.length);
    assertArrayEquals(words, got, "raw words of (" + seed + ", " + name + ")");
    TensorSpec t = TensorSpec.of(name, new int[] {8, 8}, InitSpec.of(InitFamily.NORMAL));
    float[] v = Backbone.regenerate(seed, List.of(t), 1).get(name);
    for (int i = 0; i < normal.length; i++) {
      // bit equality: the float literals are the shortest decimal forms of the published float32 values
      assertEquals(Float.floatToIntBits(normal[i]), Float.floatToIntBits(v[i]), "normal value " + i);
    }
  }
}
