/** LoRA adapter settings: rank, alpha, scaling rule, learned beta, adapter dropout. */
package org.lottalora.core.adapter;
