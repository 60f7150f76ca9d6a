// The fast CPU launcher's chunk kernels for the baseline instruction set (device/fast_cpu_chunk.hpp).
#include "device/fast_cpu_chunk.hpp"

namespace roundlab::device::fast_cpu {

namespace {

void philox_baseline(const PhiloxKeys& K, u64 block0, std::size_t blocks, u32* out, SourcePrefetch&) {
  philox_generic(K, block0, blocks, out);  // the portable fill asks for no prefetch
}

// The baseline build does not vectorize (no variable shifts before AVX2): no specialised variants.
RL_FAST_ISA_STRUCT(IsaBaseline, , false, flag_mask_portable, unpack_nibbles)

}  // namespace

IsaKernels isa_kernels_baseline() { return make_isa_kernels<IsaBaseline>(&philox_baseline); }

}  // namespace roundlab::device::fast_cpu
