package org.lottalora.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress line: what a terminal and a log each get. */
class ProgressTest {
  @Test
  void terminalRedrawsInPlaceAndClearsTheBarBeforeTheEpochLine() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
    p.step(2, 20, 10, 10, 0.5, 0.8, 1234.0, 65);
    p.epochDone(new EpochStats(2, 0.5, 0.8, 0.75, 1.5, 1234), 20, true);
    String s = buf.toString(StandardCharsets.UTF_8);
    assertTrue(s.contains("epoch 2/20 [########################] 10/10  loss 0.5000  acc 0.800  1,234 samples/s  ETA 1:05"), s);
    String last = s.substring(s.lastIndexOf('\r'));
    assertTrue(last.startsWith("\r\033[2Kepoch 2/20  loss 0.5000"), "the bar is erased first: " + last);
  }

  @Test
  void logsGetOnlyFinishedEpochLines() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
    p.step(1, 3, 5, 10, 1.0, 0.1, 100.0, 10);
    p.epochDone(new EpochStats(1, 1.0, 0.1, 0.2, 2.0, 100), 3, false);
    assertEquals("epoch 1/3  loss 1.0000  train acc 0.1000  val acc 0.2000    2.0s  100 samples/s\n",
        buf.toString(StandardCharsets.UTF_8));
  }

  @Test
  void etaClock() {
    assertEquals("0:09", Progress.clock(9.4));
    assertEquals("1:01:01", Progress.clock(3661));
    assertEquals("--:--", Progress.clock(Double.NaN));
  }
}
