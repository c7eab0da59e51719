/** Core of the toolkit: backbone generation, adapter graphs, training and data; no model family is known here by name. */
package org.lottalora.core;
