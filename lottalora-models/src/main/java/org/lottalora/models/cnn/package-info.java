/**
 * Convolutional families: {@link org.lottalora.models.cnn.CnnFamily}, the Plain-N networks (ResNet-N without
 * its skips) with an adapter on every convolution kernel and BatchNorm trained in full.
 */
package org.lottalora.models.cnn;
