package org.lottalora.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The atomic writer: no temporary file left by a write, and the stale ones of killed writers removed. */
class AtomicFileTest {
  @TempDir
  Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aWriteLeavesOnlyTheTarget() throws IOException {
    Path t = dir.resolve("m.lotta");
    AtomicFile.write(t, AtomicFile.READABLE, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(t));
    assertEquals(List.of("m.lotta"), names());
  }

  @Test
  void theNextWriteRemovesTheTemporaryFilesOfKilledWriters() throws IOException {
    Path t = dir.resolve("m.lotta");
    // pid above Linux's pid_max (2^22): never a live process
    Path deadPid = Files.writeString(dir.resolve(".m.lotta.pid2147483646.123.tmp"), "part");
    Path livePid = Files.writeString(dir.resolve(".m.lotta.pid" + ProcessHandle.current().pid() + ".456.tmp"), "x");
    Path oldStyleFresh = Files.writeString(dir.resolve(".m.lotta.789.tmp"), "x");
    Path oldStyleOld = Files.writeString(dir.resolve(".m.lotta.790.tmp"), "x");
    Files.setLastModifiedTime(oldStyleOld, FileTime.from(Instant.now().minus(AtomicFile.STALE_AFTER).minusSeconds(60)));
    Path otherTarget = Files.writeString(dir.resolve(".n.lotta.pid2147483646.1.tmp"), "x");
    AtomicFile.writeString(t, "new");
    assertEquals("new", Files.readString(t));
    assertFalse(Files.exists(deadPid), "a dead writer's file goes");
    assertFalse(Files.exists(oldStyleOld), "a file untouched for STALE_AFTER goes");
    assertTrue(Files.exists(livePid), "a live writer's file stays");
    assertTrue(Files.exists(oldStyleFresh), "a recent file without a pid may be a live writer's");
    assertTrue(Files.exists(otherTarget), "another target's files are not this write's business");
    assertEquals(0, AtomicFile.removeStale(t));
  }
}
