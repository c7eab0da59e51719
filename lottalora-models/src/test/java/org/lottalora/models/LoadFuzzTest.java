package org.lottalora.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.lottalora.format.ArtifactCodec;
import org.lottalora.format.ArtifactException;
import org.lottalora.format.ArtifactFile;

/**
 * Fuzzes the whole load path (parse, spec, regeneration, fingerprints, graph build) with payload mutations
 * behind a repaired digest, so every one reaches the model-level checks: the only acceptable failure is
 * {@link ArtifactException}, and a file that loads must predict finite probabilities. Fixed seed, bounded
 * tries: a few seconds in CI.
 */
class LoadFuzzTest {
  static final byte[] GOOD = FixtureTool.bytes();
  static final float[] INPUT = FixtureTool.INPUT;

  @Property(tries = 400, seed = "20261128")
  void mutatedPayloadsLoadCorrectlyOrFailTyped(@ForAll("payloadMutations") byte[] file) {
    try {
      ArtifactFile f = ArtifactCodec.decodeFile(file, "fuzz");
      LottaModel m = LottaModel.load(f, "fuzz");
      for (float p : m.predict(INPUT)) {
        if (!Float.isFinite(p)) {
          throw new AssertionError("a loaded model predicted " + p);
        }
      }
      Statistics.collect("loaded");
    } catch (ArtifactException expected) {
      Statistics.collect(expected.reason().name());
    }
  }

  @Provide
  Arbitrary<byte[]> payloadMutations() {
    return Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.longs())
        .as(LoadFuzzTest::mutate);
  }

  static byte[] mutate(int flips, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    byte[] b = GOOD.clone();
    int start = 20;
    int end = b.length - 32;
    for (int i = 0; i < flips; i++) {
      int pos = start + r.nextInt(end - start);
      if (r.nextBoolean()) {
        b[pos] ^= (byte) (1 << r.nextInt(8));
      } else {
        b[pos] = (byte) r.nextInt(256);
      }
    }
    try {
      long len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(12);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(b, 0, (int) (20 + len));
      System.arraycopy(md.digest(), 0, b, (int) (20 + len), 32);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return b;
  }
}
