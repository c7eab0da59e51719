package org.lottalora.core.backbone;

import java.nio.charset.StandardCharsets;

/**
 * FNV-1a, 64-bit: turns a tensor name into the second key word of its stream.
 *
 * @implSpec offset basis 0xCBF29CE484222325, prime 0x100000001B3; for each byte b of the name's UTF-8
 *     encoding, {@code h = (h ^ (b & 0xFF)) * prime} modulo 2^64.
 */
public final class Fnv1a64 {
  private static final long OFFSET = 0xCBF29CE484222325L;
  private static final long PRIME = 0x100000001B3L;

  private Fnv1a64() {}

  /** Hashes the UTF-8 bytes of {@code text}. */
  public static long hash(String text) {
    return hash(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Hashes raw bytes. */
  public static long hash(byte[] bytes) {
    long h = OFFSET;
    for (byte b : bytes) {
      h = (h ^ (b & 0xFF)) * PRIME;
    }
    return h;
  }
}
