package org.lottalora.models.transformer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.lottalora.core.LottaException;

/**
 * A UTF-8 text as the byte-level LM sees it: its bytes, split into a training head and a held-out tail (the last
 * {@code validationFraction} of the bytes, contiguous, so no held-out sentence is half seen). A file that is empty,
 * too short for the window, or not UTF-8 is refused with the byte offset of the first bad sequence.
 *
 * @param source where the text came from (for reports and the artifact)
 * @param train the training bytes
 * @param validation the held-out bytes
 */
public record ByteCorpus(String source, byte[] train, byte[] validation) {

  /**
   * Reads and splits a UTF-8 file.
   *
   * @throws IllegalArgumentException when the file is missing, empty or not UTF-8 (with the byte offset)
   */
  public static ByteCorpus read(Path file, double validationFraction) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no text file " + file + "; give a UTF-8 text file with --data");
    } catch (IOException e) {
      throw new LottaException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return of(bytes, file.toString(), validationFraction);
  }

  /**
   * Checks and splits {@code bytes}.
   *
   * @throws IllegalArgumentException when they are empty or not UTF-8, or the fraction is outside (0, 0.5]
   */
  public static ByteCorpus of(byte[] bytes, String source, double validationFraction) {
    if (!(validationFraction > 0 && validationFraction <= 0.5)) {
      throw new IllegalArgumentException("the held-out fraction must be in (0, 0.5], got " + validationFraction);
    }
    if (bytes.length == 0) {
      throw new IllegalArgumentException(source + " is empty; a language model needs text to learn from");
    }
    long bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      throw new IllegalArgumentException(source + " is not UTF-8 text: invalid byte sequence at byte offset " + bad
          + " (0x" + String.format("%02x", bytes[(int) bad] & 0xff) + "); convert it, e.g. iconv -f latin1 -t utf-8");
    }
    int cut = (int) Math.round(bytes.length * (1 - validationFraction));
    return new ByteCorpus(source, java.util.Arrays.copyOfRange(bytes, 0, cut),
        java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
  }

  /** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 when all of it is valid. */
  public static long firstInvalidUtf8(byte[] bytes) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(1 << 16);
    while (true) {
      CoderResult r = dec.decode(in, out, true);
      if (r.isError()) {
        return in.position();
      }
      if (r.isUnderflow()) {
        r = dec.flush(out);
        return r.isError() ? in.position() : -1;
      }
      out.clear();
    }
  }

  /**
   * Checks that both parts hold at least one window of {@code seqLen} bytes.
   *
   * @throws IllegalArgumentException when the text is too short
   */
  public void checkWindow(int seqLen) {
    if (train.length < seqLen || validation.length < Math.min(seqLen, 2)) {
      throw new IllegalArgumentException(source + " has " + (train.length + validation.length) + " bytes: too short "
          + "for windows of " + seqLen + " bytes (training " + train.length + ", held out " + validation.length
          + "); use a longer text or a smaller --seq-len");
    }
  }

  /** The {@code len} bytes of {@code text} from {@code start} as tokens 0..255. */
  public static int[] tokens(byte[] text, int start, int len) {
    int[] t = new int[len];
    for (int i = 0; i < len; i++) {
      t[i] = text[start + i] & 0xff;
    }
    return t;
  }
}
