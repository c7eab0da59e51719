package org.lottalora.models.reservoir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The ring reservoir against its specification: the expected features were computed by
 * benchmarks/scripts/ring_from_spec.py from the text of lottalora-format/docs/artifact-format.md (section 4, item 6)
 * and numpy's Philox alone, not from this code. Every step of the spec is exercised: ring sizes from "ring.sizes",
 * a Watts-Strogatz graph with rewiring from "ring.graph", the sparse input matrix, the Hilbert order of a non-square
 * image, settle steps, a stride, and three samples; a negative seed keys the streams.
 */
class RingSpecVectorTest {
  private static final double[] EXPECTED = {
      0x1.0000000000000p+0, 0x1.03b0ca721da50p-1, 0x1.1a8f5392cc912p-1, 0x1.f899e23dd68a4p-1, 0x1.3e6b4517f6e6bp-1,
      0x1.93d9a2abce652p-2, 0x1.4954bdb533a9cp-1, 0x1.ce22fe50cb3cep-1, 0x1.b18fa3ee0c9c0p-2, 0x1.165ff62c92aa4p+0,
      0x1.d094b8fe93432p-2, 0x1.7c032c8ab14fep-1, 0x1.3790d714adbf8p-1, 0x1.226ac3baf9a89p-1, 0x1.507ba013839b8p-1,
      0x1.43cd205451892p-1, 0x1.c639febe1911ep-1, 0x1.025c52ef0602fp-1, 0x1.efbe18cbe321ap-1, 0x1.663124eda2092p-1,
      0x1.a59bc135a7e9cp-2, 0x1.cf2921a0b4f0ap-1, 0x1.c3d1ab42011efp-2, 0x1.5272433add4d2p-1, 0x1.f1a4b3d50d70ep-2,
      0x1.90e2783ec22d4p-2, 0x1.ce07f7ff7dc28p-1, 0x1.74704c99bd0e0p-1, 0x1.fa7d2ffbedbfcp-2, 0x1.78eb9d0740580p-1,
      0x1.6904f419b8624p-2, 0x1.399cf26bb0850p-1, 0x1.8ac186e44b648p-1, 0x1.6f6c1a790fc73p-1, 0x1.0e7b72f0692e0p+0,
      0x1.eaf3da8da73a8p-1, 0x1.51bcf71bb2196p-1, 0x1.de9bf2ed63997p-1, 0x1.c42e714bdc7abp-2, 0x1.110b804ef1737p-1,
      0x1.1b88becf274d5p-1, 0x1.87d52455e7001p-1, 0x1.013ad669b1a70p+0, 0x1.5762578610598p-1, 0x1.c1ec34fedca8bp-2,
      0x1.bde8e85590714p-1, 0x1.f22065cf0bee5p-1, 0x1.d49cf7d896c74p-2, 0x1.12f0b59fb2d5bp-1, 0x1.5954908b0c1ecp-1,
      0x1.9dbe36ea78a96p-2, 0x1.a3fe4a424d6c6p-2, 0x1.289a94e2d4d04p-1, 0x1.d996a03a9b328p-1, 0x1.6b7b04696d85bp-1,
      0x1.7a1a0858ef968p-1, 0x1.8c54849eb1a3bp-1, -0x1.749efa2ee1ddep-3, 0x1.ff232735e2b87p-1, 0x1.05e7d1aa10c9ep+0,
      0x1.25cdef700d067p-1, 0x1.141acc5651fd9p-1, 0x1.23b84820e15c4p-1, 0x1.ccdaa1357aa78p-1, 0x1.7c00bcda89db4p-3,
      0x1.7aa46b4df7080p-1, 0x1.5e0a67b9eaad0p-1, 0x1.a4e595fa35490p-1, 0x1.28fada84a31b2p-2, 0x1.b153b9edd3ce3p-2,
      0x1.6d5b71d9c3ec2p-1, 0x1.d1a31c629f5b4p-2, 0x1.29fa6f44ad1f4p-1, 0x1.5197af9c70d9dp-1, 0x1.56640b7a3b27dp-1,
      0x1.496757117a520p-1, 0x1.8ccf8b05e0e26p-1, 0x1.048594043b9ebp-1, 0x1.c7da8c1234216p-1, 0x1.aa8ffba1d2eb7p-1,
      0x1.aec43ade44232p-1, 0x1.0c49ad566eb7fp+0
  };

  @Test
  void featuresMatchTheSpecComputedIndependently() {
    RingSpec spec = new RingSpec(5, 3, 7, 0.3, 0.5, 2, 3.0, 0.2, 4, 2, 0.8, 0.5, 3, 5);
    RingReservoir r = new RingReservoir(spec, 6, 5, -3L);
    assertEquals(27, r.neurons()); // ring sizes 7, 5, 5, 3, 7
    float[] image = new float[30];
    for (int k = 0; k < image.length; k++) {
      image[k] = (float) (((k * 7) % 11) / 10.0 - 0.5);
    }
    // bit equality: the spec fixes every operation's order and precision (binary64)
    assertArrayEquals(EXPECTED, r.features(image), 0.0);
  }
}
