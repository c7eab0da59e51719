/** Training: the dense engine, AdamW, the cosine schedule, batching, progress and reports. */
package org.lottalora.core.train;
