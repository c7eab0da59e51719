/** Running sweeps: each run a self-contained task over a {@link org.lottalora.models.LottaModel}, in parallel. */
package org.lottalora.models.sweep;
