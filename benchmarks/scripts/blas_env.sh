# Sourced by the throughput benchmarks: the same OpenBLAS kernels for LottaLoRA (ND4J's OpenBLAS 0.3.19) and the
# PyTorch peer (Debian's 0.3.21), each side's best. On a CPU with AVX-512 both run SkylakeX's kernels (PyTorch's
# OpenBLAS would pick the same family, Cooperlake, by itself; this workplace's environment sets Haswell, which
# slowed both sides' products by 1.5-2x); elsewhere the environment's choice stands. LOTTALORA_BENCH_CORETYPE
# overrides, e.g. =Haswell to measure with the AVX2 kernels. The choice is printed into each results table.
source "$(dirname "${BASH_SOURCE[0]}")/../../lottalora-cli/openblas-env.sh"
if [[ -n "${LOTTALORA_BENCH_CORETYPE:-}" ]]; then
  export OPENBLAS_CORETYPE=$LOTTALORA_BENCH_CORETYPE
elif lotta_has_avx512; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
blas_env_line="OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
