/** The philox4x64-10/v1 backbone stream and its 22 init families: frozen weights as a pure function of (seed, name, index, init spec). */
package org.lottalora.core.backbone;
