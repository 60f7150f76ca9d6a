#include "device/fast_cpu_launch.hpp"

#include <omp.h>

#include <cstring>

#include "device/cpu_launch.hpp"
#include "device/fast_cpu_chunk.hpp"

namespace roundlab::device {

namespace {

using namespace fast_cpu;

// Bounds of an N-bit word with a 16-bit top part in 32-bit halves (N > 16, low_bits = N − 16 in 1..48).
void set_lazy_shifts(ChunkRandom& rc, int low_bits) {
  const u64 ones = low_mask(low_bits);
  rc.ones_lo = static_cast<u32>(ones);
  rc.ones_hi = static_cast<u32>(ones >> 32);
  if (low_bits >= 32) {
    rc.sh_lo = 0;
    rc.lo_keep = 0;
    rc.sh_a = low_bits - 32;
    rc.sh_b = 0;
  } else {
    rc.sh_lo = low_bits;
    rc.lo_keep = ~u32{0};
    rc.sh_a = 0;
    rc.sh_b = 32 - low_bits;  // 1..31: top's bits above bit 31 − low_bits go to the high half
  }
}

// ---------------------------------------------------------------------------------------------------
// Instruction-set choice.

enum class Isa { Baseline, Avx2, Avx512 };

Isa detect_isa() {
#ifdef RL_FAST_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma"))
    return Isa::Avx2;
#endif
  return Isa::Baseline;
}

Isa& chosen_isa() {
  static Isa isa = detect_isa();
  return isa;
}

// The chosen instruction set's compiled variants (device/fast_cpu_isa_*.cpp).
const IsaKernels& kernels_for(Isa isa) {
#ifdef RL_FAST_X86
  static const IsaKernels avx512 = isa_kernels_avx512(), avx2 = isa_kernels_avx2();
  if (isa == Isa::Avx512) return avx512;
  if (isa == Isa::Avx2) return avx2;
#endif
  (void)isa;
  static const IsaKernels baseline = isa_kernels_baseline();
  return baseline;
}

}  // namespace

bool fast_path_applies(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source) {
  return make_fast_plan(f, rd, source).kernel != FastKernel::None;
}

const char* fast_path_isa() {
  switch (chosen_isa()) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    case Isa::Baseline: break;
  }
  return "baseline";
}

std::vector<std::string> fast_path_isas() {
  std::vector<std::string> out;
  const Isa best = detect_isa();
  if (best == Isa::Avx512) out.push_back("avx512");
  if (best == Isa::Avx512 || best == Isa::Avx2) out.push_back("avx2");
  out.push_back("baseline");
  return out;
}

bool set_fast_path_isa(const char* name) {
  const Isa best = detect_isa();
  Isa want = Isa::Baseline;
  if (std::strcmp(name, "avx512") == 0) want = Isa::Avx512;
  else if (std::strcmp(name, "avx2") == 0) want = Isa::Avx2;
  else if (std::strcmp(name, "baseline") != 0) return false;
  if (static_cast<int>(want) > static_cast<int>(best)) return false;
  chosen_isa() = want;
  return true;
}

void philox_fill_blocks(const RandomStream& s, std::uint64_t block0, std::size_t blocks, std::uint32_t* out) {
  SourcePrefetch none;
  kernels_for(chosen_isa()).philox(keys_for(s), block0, blocks, out, none);
}

void round_array_cpu_fast(const DeviceFormat& f, const DeviceRounding& rd, SourceFormat source, const void* in,
                          void* out, std::size_t n, const RandomInput& random, std::uint8_t* no_encoding,
                          int threads) {
  const FastPlan plan = make_fast_plan(f, rd, source);
  if (plan.kernel == FastKernel::None) {
    round_array_cpu(f, rd, source, in, out, n, random, no_encoding, threads);
    return;
  }
  const IsaKernels& kern = kernels_for(chosen_isa());
  const bool use_random = fast_kernel_draws(plan.kernel);
  const int nbits = rd.mode == DeviceMode::SR ? 64 : plan.n;  // exact SR: the whole 64-bit word
  // Philox words: N ≤ 32 one 32-bit word per element (4 per block), N > 32 a (low, high) pair (2 per
  // block), masked to N bits. Explicit words are copied as pairs and used unmasked, as round_element does.
  const bool explicit_r = use_random && random.explicit_r != nullptr;
  RKind rk = RKind::None;
  if (explicit_r) rk = RKind::Pair;  // used unmasked, as round_element does
  else if (use_random)
    rk = nbits <= 4 ? RKind::Slot4 : nbits <= 8 ? RKind::Slot8 : nbits <= 16 ? RKind::Slot16 : RKind::Slot16Lazy;
  const int cb = code_bytes(f);
  const bool flags = no_encoding != nullptr;
  ChunkFn chunk = nullptr;
  if (is_aligned_kernel(plan.kernel) && !flags && !explicit_r) {
    // RNE from 16-bit sources in 16-bit lanes where bfloat16's own precision (8) leaves bits to discard.
    const bool lanes16 = source == SourceFormat::Binary16 ||
                         (source == SourceFormat::Bfloat16 && plan.s0 > FastSourceBfloat16Lanes::plan_shift);
    chunk = kern.chunk(source, plan.kernel, rk, plan.sel, cb, flags, lanes16);
  }
  if (chunk == nullptr) {  // not an aligned kernel, or none for this ISA / these words / with flags
    const FastKernel k = is_aligned_kernel(plan.kernel) ? plan.fallback : plan.kernel;
    chunk = kern.chunk(source, k, rk, plan.sel, cb, flags, false);
  }
  const StoreFn store = kern.store(cb);
  const auto unpack = kern.unpack;
  const PhiloxFn philox = kern.philox;
  const auto low_parts = kern.low_parts;
  const auto scan_ties = kern.scan_ties;
  const PhiloxKeys keys = keys_for(random.stream);
  const int sb = source_bytes(source);
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
  const auto* in_bytes = static_cast<const unsigned char*>(in);
  auto* out_bytes = static_cast<unsigned char*>(out);
#pragma omp parallel num_threads(nthreads)
  {
    alignas(64) u32 rbuf[4 * kMaxBlocks];
    alignas(64) u32 codes[kChunk];
    alignas(64) u8 tie[kChunk];
    alignas(64) u8 sbuf[kChunk + 64];
    alignas(64) u32 tie_idx[kChunk];
    alignas(64) u64 tie_low[kChunk];  // Slot4: ⌈(31 + kChunk)/32⌉ blocks of 32 slots
    const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t tid = static_cast<std::size_t>(omp_get_thread_num());
    // Contiguous ranges, in whole chunks.
    const std::size_t chunks = (n + kChunk - 1) / kChunk;
    const std::size_t c_lo = chunks * tid / nt, c_hi = chunks * (tid + 1) / nt;
    for (std::size_t c = c_lo; c < c_hi; ++c) {
      const std::size_t lo = c * kChunk;
      const std::size_t len = n - lo < kChunk ? n - lo : kChunk;
      ChunkRandom rc;
      rc.tie = tie;
      u8 any_tie = 1;
      rc.any_tie = &any_tie;
      if (explicit_r) {
        std::memcpy(rbuf, random.explicit_r + lo, len * sizeof(u64));  // little-endian (low, high) pairs
        rc.words = rbuf;
      } else if (use_random) {
        const u64 idx0 = random.first_index + lo;
        const u64 per_block = static_cast<u64>(random_slots_per_block(nbits));
        const u64 block0 = idx0 / per_block;
        rc.off = static_cast<std::size_t>(idx0 % per_block);
        const std::size_t blocks = static_cast<std::size_t>((rc.off + len + per_block - 1) / per_block);
        SourcePrefetch pf{reinterpret_cast<const char*>(in_bytes + lo * sb),
                          reinterpret_cast<const char*>(in_bytes + (lo + len) * sb)};
        philox(keys, block0, blocks, rbuf, pf);
        if (rk == RKind::Slot4) {
          unpack(rbuf, blocks, sbuf, static_cast<u8>(low_mask(nbits)));
          rc.slots = sbuf;
        } else {
          rc.slots = reinterpret_cast<const u8*>(rbuf);
          rc.slots16 = reinterpret_cast<const u16*>(rbuf);  // little-endian: slot k = bytes 2k, 2k + 1
        }
        rc.top_mask = static_cast<u32>(low_mask(random_top_bits(nbits)));
        if (rk == RKind::Slot16Lazy) set_lazy_shifts(rc, nbits - random_top_bits(nbits));
      }
      void* dst = flags ? static_cast<void*>(codes) : static_cast<void*>(out_bytes + lo * cb);
      chunk(plan, in_bytes + lo * sb, dst, flags ? no_encoding + lo : nullptr, rc, len);
      if (rk == RKind::Slot16Lazy && any_tie != 0) {
        // Ties of the top part (about one element in 2^16): the whole word decides. Their low parts
        // are drawn together (one vectorized pass), then each is rounded with its whole word.
        if (len % 64 != 0) std::memset(tie + len, 0, 64 - len % 64);  // kChunk is a multiple of 64
        const std::size_t m = scan_ties(tie, len, tie_idx);
        low_parts(keys, random.first_index + lo, tie_idx, m, tie_low);
        const u64 low_keep = low_mask(nbits - 16);
        for (std::size_t j = 0; j < m; ++j) {
          const std::size_t i = tie_idx[j];
          std::uint64_t bits = 0;
          std::memcpy(&bits, in_bytes + (lo + i) * sb, static_cast<std::size_t>(sb));
          const std::uint64_t top = rc.slots16[rc.off + i];
          const DeviceResult res = fast_round_element(plan, bits, (top << (nbits - 16)) | (tie_low[j] & low_keep));
          if (flags) {
            codes[i] = static_cast<u32>(res.code);
            no_encoding[lo + i] = res.no_encoding ? 1 : 0;
          } else {
            store_code(f, out_bytes + lo * cb, i, res.code);
          }
        }
      }
      if (flags) store(codes, out_bytes + lo * cb, len);
    }
  }
}

}  // namespace roundlab::device
