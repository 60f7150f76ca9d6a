// roundlab bench: throughput of the array kernels against a copy of the same input bytes: on the CPU
// (--backend cpu, the default) the fast launcher against memcpy; on the GPU (--backend cuda) the CUDA
// launcher on device-resident arrays against a device-to-device copy, both timed with CUDA events.
//
// For each kernel: time per call (best of --repeat after one untimed warm-up), elements/s, GB/s
// (input bytes read + code bytes written; the random words are generated in cache and not counted),
// and, interleaved with the kernel's repeats in the same run, the baseline
//   memcpy: a copy of the kernel's INPUT array (same bytes read; writes as many) into another array,
//           split into --threads contiguous parts copied in parallel (OpenMP), best of --repeat;
// ratio = kernel elements/s ÷ memcpy elements/s, where memcpy elements = input words copied.
// Stochastic kernels draw their words from the Philox stream (seed --philox-seed, stream 0) inside
// the timed call. Timing uses std::chrono::steady_clock. Nothing here is a test: no check depends on it.
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "reference/json_text.hpp"
#include "cli/options.hpp"
#include "device/cpu_launch.hpp"
#include "device/device_format_from_reference.hpp"
#include "device/fast_cpu_launch.hpp"
#ifdef ROUNDLAB_HAVE_CUDA
#include "device/cuda/cuda_launch.hpp"
#include "device/cuda/device_query.hpp"
#endif
#include "reference/error.hpp"
#include "reference/format_catalogue.hpp"
#include "reference/git_revision.hpp"

namespace roundlab::cli {

namespace {

struct KernelSpec {
  device::SourceFormat source;
  std::string source_name;
  std::string target;  // catalogue name
  std::string label;   // short target label for the table
  Mode mode;
  int n;  // random bits of the few-bit modes
};

std::string mode_label(const KernelSpec& k) {
  std::string s = mode_name(k.mode);
  if (k.mode != Mode::StochasticExact && k.n > 0) s += " N=" + std::to_string(k.n);
  return s;
}

std::string kernel_name(const KernelSpec& k) { return k.source_name + "->" + k.label + " " + mode_label(k); }

std::vector<KernelSpec> kernel_list() {
  std::vector<KernelSpec> out;
  const std::pair<const char*, const char*> targets[] = {{"bfloat16", "bfloat16"}, {"binary16", "binary16"},
                                                         {"p3109_k8p4se", "b8p4"}, {"ocp_e4m3", "ocp_e4m3"},
                                                         {"ocp_e5m2", "ocp_e5m2"}, {"ocp_e2m1", "ocp_e2m1"}};
  const std::pair<Mode, int> modes[] = {{Mode::NearestTiesToEven, 0}, {Mode::StochasticExact, 0},
                                        {Mode::StochasticC, 3},       {Mode::StochasticB, 3},
                                        {Mode::StochasticA, 3},       {Mode::StochasticOdd, 3}};
  for (const auto& [target, label] : targets)
    for (const auto& [mode, n] : modes)
      out.push_back({device::SourceFormat::Binary32, "binary32", target, label, mode, n});
  out.push_back({device::SourceFormat::Bfloat16, "bfloat16", "p3109_k8p4se", "b8p4", Mode::NearestTiesToEven, 0});
  out.push_back({device::SourceFormat::Binary64, "binary64", "binary32", "binary32", Mode::NearestTiesToEven, 0});
  return out;
}

// Targets of the issue: on the CPU every round-to-nearest kernel ≥ 0.90 of memcpy and every stochastic
// one ≥ 0.80; on the GPU binary32 → bfloat16 exact SR and binary32 → b8p4 SRC N=3 ≥ 0.80 of the
// device-to-device copy (others: none, 0).
double target_ratio(const KernelSpec& k, bool cuda) {
  if (!cuda) return k.mode == Mode::NearestTiesToEven ? 0.90 : 0.80;
  const std::string name = kernel_name(k);
  return name == "binary32->bfloat16 sr" || name == "binary32->b8p4 src N=3" ? 0.80 : 0.0;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void parallel_memcpy(unsigned char* dst, const unsigned char* src, std::size_t bytes, int threads) {
#pragma omp parallel num_threads(threads)
  {
    const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
    const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t lo = bytes * t / nt / 64 * 64, hi = t + 1 == nt ? bytes : bytes * (t + 1) / nt / 64 * 64;
    std::memcpy(dst + lo, src + lo, hi - lo);
  }
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

std::string sci(double v) {
  std::ostringstream s;
  s << std::scientific << std::setprecision(3) << v;
  return s.str();
}

struct Result {
  KernelSpec spec;
  bool fast = false;
  double seconds = 0, memcpy_seconds = 0;
  std::size_t in_bytes = 0, out_bytes = 0;
  bool checked_equal = true;
};

}  // namespace

int run_bench(const Args& args, std::ostream& out, std::ostream& err) {
  Options o(args, {"elements", "threads", "repeat", "filter", "seed", "philox-seed", "backend"}, {"json", "generic"});
  o.reject_positional("bench takes options only");
  const std::string backend = o.get("backend").value_or("cpu");
  if (backend != "cpu" && backend != "cuda") throw InputError("unknown --backend '" + backend + "': expected cpu or cuda");
  const bool cuda = backend == "cuda";
#ifndef ROUNDLAB_HAVE_CUDA
  if (cuda) throw InputError("--backend cuda: this roundlab was built without CUDA (nvcc was not found at configure time)");
#endif
  // The GPU needs far more elements than the CPU to reach its bandwidth (a 2^24-element copy takes ~30 µs).
  const std::uint64_t n64 = o.get_u64("elements", std::uint64_t{1} << (cuda ? 28 : 24));
  if (n64 == 0 || n64 > (std::uint64_t{1} << 31))
    throw InputError("--elements " + std::to_string(n64) + ": expected an integer in 1..2^31");
  const auto n = static_cast<std::size_t>(n64);
  {
    // Host arrays: binary32, bfloat16 and binary64 inputs (14 bytes per element), plus on the CPU backend
    // the copy destination and the codes (12 more). Past physical memory the run would be killed, not refused.
    const double need = static_cast<double>(n) * (cuda ? 14.0 : 26.0);
    const double have = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
    if (have > 0 && need > 0.9 * have) {
      char msg[200];
      std::snprintf(msg, sizeof msg, "--elements %llu needs about %.1f GiB of host memory; this machine has %.1f GiB",
                    static_cast<unsigned long long>(n64), need / (1u << 30), have / (1u << 30));
      throw InputError(msg);
    }
  }
  const int threads = o.get_int("threads", 2, 1, 1024);
  const int repeat = o.get_int("repeat", 10, 1, 100000);
  const std::uint64_t input_seed = o.get_u64("seed", 20240601u);
  const std::uint64_t philox_seed = o.get_u64("philox-seed", 0x5eed5eed12345678u);
  const bool force_generic = o.flag("generic");
  if (cuda && force_generic) throw InputError("--generic applies to --backend cpu only");
  std::regex filter;
  const bool use_filter = o.get("filter").has_value();
  if (use_filter) {
    try {
      filter = std::regex(*o.get("filter"), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw InputError("--filter '" + *o.get("filter") + "' is not a regular expression: " + e.what());
    }
  }
  std::string gpu_name;
#ifdef ROUNDLAB_HAVE_CUDA
  if (cuda) {  // before the inputs are made: a missing GPU is said at once
    const device::CudaStatus st = device::cuda_status();
    if (st.device_count == 0) throw InputError("--backend cuda: no CUDA device is visible");
    gpu_name = st.device_name;
  }
#endif
  std::vector<KernelSpec> kernels;
  for (const auto& k : kernel_list())
    if (!use_filter || std::regex_search(kernel_name(k), filter)) kernels.push_back(k);
  if (kernels.empty()) {
    err << "roundlab bench: --filter matches no kernel; kernels are named like 'binary32->b8p4 src N=3'\n";
    return 2;
  }

  // Inputs: normal binary32 values, random sign, exponent uniform over 2^-24 .. 2^24 (49 binades),
  // random fraction; bfloat16 inputs are their top halves; binary64 inputs the same values with 29
  // random extra fraction bits (so the binary64 -> binary32 rounding has work to do). No NaN, no Inf.
  std::vector<std::uint32_t> in32(n);
  std::vector<std::uint16_t> in16(n);
  std::vector<std::uint64_t> in64(n);
  {
    std::mt19937_64 rng(input_seed);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t w = rng();
      const auto sign = static_cast<std::uint32_t>(w >> 63);
      const auto exponent = static_cast<std::uint32_t>(127 - 24 + (w >> 32) % 49);
      const auto fraction = static_cast<std::uint32_t>(w & 0x7fffff);
      in32[i] = (sign << 31) | (exponent << 23) | fraction;
      in16[i] = static_cast<std::uint16_t>(in32[i] >> 16);
      float f;
      std::memcpy(&f, &in32[i], 4);
      double d = f;
      std::memcpy(&in64[i], &d, 8);
      in64[i] |= (w >> 23) & ((std::uint64_t{1} << 29) - 1);
    }
  }
  std::vector<unsigned char> copy_dst(cuda ? 0 : n * 8), codes(cuda ? std::min<std::size_t>(n, 1 << 16) * 4 : n * 4),
      check_codes;
#ifdef ROUNDLAB_HAVE_CUDA
  // Device copies of the three input arrays, one output and one copy destination, held for the whole run.
  struct DeviceBuffers {
    void* in32 = nullptr;
    void* in16 = nullptr;
    void* in64 = nullptr;
    void* out = nullptr;
    void* copy = nullptr;
    const void* input(device::SourceFormat s) const {
      return s == device::SourceFormat::Binary32 ? in32 : s == device::SourceFormat::Binary64 ? in64 : in16;
    }
    ~DeviceBuffers() {
      for (void* p : {in32, in16, in64, out, copy})
        if (p) device::cuda_device_free(p);
    }
  } dev;
  if (cuda) {
    dev.in32 = device::cuda_device_alloc(n * 4);
    dev.in16 = device::cuda_device_alloc(n * 2);
    dev.in64 = device::cuda_device_alloc(n * 8);
    dev.out = device::cuda_device_alloc(n * 4);
    dev.copy = device::cuda_device_alloc(n * 8);
    device::cuda_copy_to_device(dev.in32, in32.data(), n * 4);
    device::cuda_copy_to_device(dev.in16, in16.data(), n * 2);
    device::cuda_copy_to_device(dev.in64, in64.data(), n * 8);
  }
#endif

  device::RandomInput random;
  random.stream = device::RandomStream{philox_seed, 0};
  random.first_index = 0;

  std::vector<Result> results;
  for (const auto& k : kernels) {
    const auto fmt = std::get<IeeeLikeFormat>(find_format(k.target));
    const device::DeviceFormat df = device::make_device_format(fmt);
    Rounding rounding;
    rounding.mode = k.mode;
    rounding.random_bits = k.n;
    const device::DeviceRounding dr = device::make_device_rounding(rounding);
    const void* in = k.source == device::SourceFormat::Binary32   ? static_cast<const void*>(in32.data())
                     : k.source == device::SourceFormat::Binary64 ? static_cast<const void*>(in64.data())
                                                                  : static_cast<const void*>(in16.data());
    Result res;
    res.spec = k;
    // The CUDA kernel takes the fast element function wherever the CPU launcher's fast path applies.
    res.fast = !force_generic && device::fast_path_applies(df, dr, k.source);
    res.in_bytes = n * device::source_bytes(k.source);
    res.out_bytes = n * device::code_bytes(df);
    // Each returns its time in seconds.
    auto kernel = [&]() -> double {
      const auto t0 = Clock::now();
      if (cuda) {
#ifdef ROUNDLAB_HAVE_CUDA
        return device::round_array_cuda_device_ptrs(df, dr, k.source, dev.input(k.source), dev.out, n, random) / 1e3;
#endif
      }
      if (force_generic) device::round_array_cpu(df, dr, k.source, in, codes.data(), n, random, nullptr, threads);
      else device::round_array_cpu_fast(df, dr, k.source, in, codes.data(), n, random, nullptr, threads);
      return seconds_since(t0);
    };
    auto copy = [&]() -> double {
      const auto t0 = Clock::now();
      if (cuda) {
#ifdef ROUNDLAB_HAVE_CUDA
        return device::cuda_copy_device_ms(dev.copy, dev.input(k.source), res.in_bytes) / 1e3;
#endif
      }
      parallel_memcpy(copy_dst.data(), static_cast<const unsigned char*>(in), res.in_bytes, threads);
      return seconds_since(t0);
    };
    kernel();  // warm-up (also faults in the output pages)
    copy();
    res.seconds = res.memcpy_seconds = 1e300;
    for (int rep = 0; rep < repeat; ++rep) {
      res.seconds = std::min(res.seconds, kernel());
      res.memcpy_seconds = std::min(res.memcpy_seconds, copy());
    }
    // Sanity (not timed): the benchmarked codes equal the generic CPU kernel's on a prefix.
    if (!force_generic) {
      const std::size_t m = std::min<std::size_t>(n, 1 << 16);
#ifdef ROUNDLAB_HAVE_CUDA
      if (cuda) device::cuda_copy_to_host(codes.data(), dev.out, m * device::code_bytes(df));
#endif
      check_codes.assign(m * device::code_bytes(df), 0);
      device::round_array_cpu(df, dr, k.source, in, check_codes.data(), m, random, nullptr, threads);
      res.checked_equal = std::memcmp(check_codes.data(), codes.data(), check_codes.size()) == 0;
    }
    results.push_back(res);
  }

  const unsigned nproc = std::max(1u, std::thread::hardware_concurrency());
  const char* memcpy_def =
      cuda ? "cudaMemcpyAsync device-to-device of the kernel's input array (same bytes read, as many written), "
             "timed with CUDA events like the kernel; ratio = kernel elements/s / copy elements/s (input words copied)"
           : "memcpy of the kernel's input array (same bytes read, as many written), split into `threads` "
             "contiguous parts copied in parallel; ratio = kernel elements/s / memcpy elements/s (input words copied)";
  bool all_equal = true;
  for (const auto& r : results) all_equal = all_equal && r.checked_equal;
  if (o.flag("json")) {
    out << "{\"command\": \"bench\", \"revision\": " << json_string(git_revision())
        << ", \"backend\": " << json_string(backend) << ", \"gpu\": " << json_string(gpu_name)
        << ", \"machine\": {\"nproc\": " << nproc << ", \"threads\": " << threads
        << ", \"cpu\": " << json_string(cpu_model()) << ", \"fast_path_isa\": " << json_string(device::fast_path_isa())
        << "}, \"elements\": " << n << ", \"repeat\": " << repeat << ", \"input_seed\": " << input_seed
        << ", \"philox_seed\": " << philox_seed << ", \"philox_stream\": 0, \"timing\": "
        << json_string(std::string(cuda ? "CUDA events" : "steady_clock") + ", best of repeat after one warm-up")
        << ", \"memcpy\": " << json_string(memcpy_def) << ", \"kernels\": [";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      const double eps = n / r.seconds, meps = n / r.memcpy_seconds, ratio = eps / meps;
      const double target = target_ratio(r.spec, cuda);
      out << (i ? ", " : "") << "{\"name\": " << json_string(kernel_name(r.spec))
          << ", \"source\": " << json_string(r.spec.source_name) << ", \"target\": " << json_string(r.spec.target)
          << ", \"mode\": " << json_string(mode_name(r.spec.mode)) << ", \"random_bits\": "
          << (r.spec.mode == Mode::StochasticExact ? 64 : r.spec.n) << ", \"path\": "
          << json_string(r.fast ? "fast" : "generic") << ", \"seconds\": " << sci(r.seconds)
          << ", \"elements_per_s\": " << sci(eps) << ", \"gb_per_s\": " << fixed((r.in_bytes + r.out_bytes) / r.seconds / 1e9, 3)
          << ", \"memcpy_seconds\": " << sci(r.memcpy_seconds) << ", \"memcpy_elements_per_s\": " << sci(meps)
          << ", \"memcpy_gb_per_s\": " << fixed(2.0 * r.in_bytes / r.memcpy_seconds / 1e9, 3)
          << ", \"ratio\": " << fixed(ratio, 3) << ", \"target_ratio\": " << (target > 0 ? fixed(target, 2) : "null")
          << ", \"met\": " << (target <= 0 ? "null" : ratio >= target ? "true" : "false")
          << ", \"equal_to_generic_on_prefix\": " << (r.checked_equal ? "true" : "false") << "}";
    }
    out << "]}\n";
  } else {
    if (cuda)
      out << "roundlab bench --backend cuda: " << n << " elements on " << gpu_name << ", best of " << repeat
          << " after a warm-up (CUDA events)\n";
    else
      out << "roundlab bench: " << n << " elements, " << threads << " thread(s) of " << nproc << " (" << cpu_model()
          << "), best of " << repeat << " after a warm-up, fast path ISA " << device::fast_path_isa() << "\n";
    out
        << "revision " << git_revision() << ", input seed " << input_seed << ", philox seed " << philox_seed
        << " stream 0\n"
        << "memcpy = " << memcpy_def << "\n"
        << "GB/s = (input bytes read + code bytes written) / time; memcpy GB/s counts its reads and writes\n\n";
    out << std::left << std::setw(34) << "kernel" << std::right << std::setw(8) << "path" << std::setw(10) << "ms"
        << std::setw(11) << "Gelem/s" << std::setw(8) << "GB/s" << std::setw(12) << "memcpy ms" << std::setw(13)
        << "memcpy Ge/s" << std::setw(13) << "memcpy GB/s" << std::setw(8) << "ratio" << std::setw(8) << "target"
        << "  met\n";
    int met = 0, targeted = 0;
    for (const auto& r : results) {
      const double eps = n / r.seconds, meps = n / r.memcpy_seconds, ratio = eps / meps;
      const double target = target_ratio(r.spec, cuda);
      met += target > 0 && ratio >= target ? 1 : 0;
      targeted += target > 0 ? 1 : 0;
      out << std::left << std::setw(34) << kernel_name(r.spec) << std::right << std::setw(8)
          << (r.fast ? "fast" : "generic") << std::setw(10) << fixed(r.seconds * 1e3, 3) << std::setw(11)
          << fixed(eps / 1e9, 3) << std::setw(8) << fixed((r.in_bytes + r.out_bytes) / r.seconds / 1e9, 2)
          << std::setw(12) << fixed(r.memcpy_seconds * 1e3, 3) << std::setw(13) << fixed(meps / 1e9, 3)
          << std::setw(13) << fixed(2.0 * r.in_bytes / r.memcpy_seconds / 1e9, 2) << std::setw(8) << fixed(ratio, 3)
          << std::setw(8) << (target > 0 ? fixed(target, 2) : "-") << "  "
          << (target <= 0 ? "-" : ratio >= target ? "yes" : "NO")
          << (r.checked_equal ? "" : "  (MISMATCH vs generic)") << "\n";
    }
    if (cuda)
      out << "\n" << met << " of " << targeted << " targeted kernels meet their target (binary32->bfloat16 sr and "
          << "binary32->b8p4 src N=3 >= 0.80 of the device-to-device copy rate)\n";
    else
      out << "\n" << met << " of " << targeted << " kernels meet their target (round-to-nearest >= 0.90, "
          << "stochastic >= 0.80 of the memcpy rate)\n";
  }
  if (!all_equal) {
    err << "roundlab bench: the benchmarked codes differ from the generic CPU kernel's\n";
    return 1;
  }
  return 0;
}

}  // namespace roundlab::cli
