/**
 * The .lotta artifact container: reading (under a {@link org.lottalora.format.TrustPolicy}, with per-field size
 * limits), validating, signing and atomically writing the protobuf payload.
 */
package org.lottalora.format;
