/** Training: the loop over a graph (on the engine, or SameDiff for graphs without a plan), the cosine schedule, batching, progress and reports. */
package org.lottalora.core.train;
