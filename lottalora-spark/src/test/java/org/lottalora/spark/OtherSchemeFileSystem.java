package org.lottalora.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ({@code otherfs:///...}), so that the tests take the path a sweep on
 * hdfs:// or s3a:// takes (staging copy on the driver, uploads of the report) without a cluster.
 */
public class OtherSchemeFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "otherfs";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }
}
