package org.lottalora.core.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The test vectors of lottalora-core/docs/backbone-stream.md: seed 42, layers.0.weight [8, 8], every family with its
 * defaults. A failure here means the stream changed, which the generator id promises never happens.
 */
class BackboneGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "normal=ab1e4d3d5b616a369f8a5f163f8e4e5b2915576481934118b9cd2b079dd734e2",
      "truncated_normal=5a055c6c3f68124086602705c5452e1c27bbefadaf9855375a1a540712384090",
      "uniform=c21852ec964e18efc5017c144ba93e09d55e067f3b0b22c861ec788d1700ffd6",
      "orthogonal=142f51ef56cf6331e523a49d81f2e045d217da0786287caeff45a2c88be2586b",
      "kaiming_normal=56b1c4c3247a89afcf99b68f5b7f6d41baa7c474d323052407865e0f15103a64",
      "kaiming_uniform=c21852ec964e18efc5017c144ba93e09d55e067f3b0b22c861ec788d1700ffd6",
      "xavier_normal=ab1e4d3d5b616a369f8a5f163f8e4e5b2915576481934118b9cd2b079dd734e2",
      "xavier_uniform=29303ec1eb6e2f82defacde63e3ec4c57aa4015a18dfac53099572528ca76b98",
      "spectral_radius=92a7e39c4d6b642562ecb1aa626daec7a644d04820fa7bc5d8c346a29ac87c65",
      "cauchy=5202016c03c6f2118da0400a10017180d9fcd8c6597b9cc59e0658953c0d2a72",
      "laplace=5f15ce5c7c965fb1113b60366abb0b6b6185bdb359ad8273fcb695059bf238cf",
      "student_t=21333f6c7208c52132ad18ba53d51391668e42eefb41437348877636a7089674",
      "gaussian_mixture=4179d02c89fd7fc6c1970c28896b22005fbe1884aebb995bb8382434b8a53ca0",
      "sparse_normal=1741396cab6f8bf979bc273dbc0612be8fdc1b33b2845422b53a751faf240de1",
      "sparse_erdos_renyi=737b6aaf1ebd8979875b9e3bf1849194f00853075dbaa4d0aad840bb02087dee",
      "beta=7ba605328ac9ac2ef944ed63a1626a8bbbc4658bcd08f692c9ce18f878f965bf",
      "exponential=db5c88ab72e477b40ee5f3443004f5ec4bc15dd9d3f85f72cbd123dcff76a69b",
      "quantized16=5a5c5a7d66751f8d6d1445aaaa49d25b15864768e53494e8208ddedd768d2ac9",
      "quantized8=199005cb6172439c60551792f16605c2620ef2b287072bbe56d35377b1a6268a",
      "quantized4=90ab3961073fc085f8c74881a24cb09a59ef6996c36a6729f0626341384d0f83",
      "quantized2=77d362f86411a03d943a7ff64acaacb9d1f776e49647df2bc74048cd9fa719b0",
      "binary=425bafc5f888d7a5085b9fe45e9143af25bf368cc72f1c4b26de818db5627b57",
      "zeros=5341e6b2646979a70e57653007a1f310169421ec9bdd9f1a5648f75ade005af1",
  })
  void familyMatchesItsPublishedVector(String golden) {
    String[] kv = golden.split("=");
    InitSpec spec = InitSpec.of(InitFamily.byId(kv[0]));
    TensorSpec t = TensorSpec.of("layers.0.weight", new int[] {8, 8}, spec);
    for (int threads : new int[] {1, 3}) {
      float[] v = Backbone.regenerate(42, List.of(t), threads).get(t.name());
      assertEquals(kv[1], Backbone.sha256(v), kv[0] + " on " + threads + " threads");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void largeTensorHashIsThreadIndependent(int threads) {
    // 300k values span many 16k slices, so the thread pool really splits the work
    TensorSpec t = TensorSpec.of("layers.0.weight", new int[] {512, 600}, InitSpec.DEFAULT);
    float[] v = Backbone.regenerate(7, List.of(t), threads).get(t.name());
    float[] one = Backbone.regenerate(7, List.of(t), 1).get(t.name());
    assertEquals(Backbone.sha256(one), Backbone.sha256(v));
  }
}
