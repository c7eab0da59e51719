/** Building model graphs on SameDiff from frozen backbone tensors, adapters and trained layers, with the dense plan the fast trainer runs. */
package org.lottalora.core.graph;
