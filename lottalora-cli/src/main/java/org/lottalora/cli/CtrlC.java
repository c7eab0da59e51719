package org.lottalora.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.lottalora.core.train.Interruption;

/**
 * Ctrl-C during training: the shutdown hook asks the running loop to stop ({@link Interruption}), the loop
 * restores the best epoch so far, and the command saves it as usual before the JVM exits (the hook waits up to a
 * minute for that). For the family commands on the shared epoch loop; {@code lottalora train} has its own.
 */
final class CtrlC {
  private CtrlC() {}

  /** Runs a training command so that Ctrl-C saves its best epoch so far. */
  static <T> T keepBest(Supplier<T> command) {
    Interruption.clear();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      Interruption.request();
      try {
        done.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "lottalora-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return command.get();
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting because of the interrupt: the hook is running and now returns
      }
      Interruption.clear();
    }
  }
}
