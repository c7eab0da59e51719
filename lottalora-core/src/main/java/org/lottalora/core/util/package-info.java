/** Small utilities around ND4J: thread settings and fast array copies. */
package org.lottalora.core.util;
