/** The .lotta artifact container: reading, validating and atomically writing the protobuf payload. */
package org.lottalora.format;
