// roundlab version: version, code revision, MPFR version and the CUDA backend status.
#include <mpfr.h>

#include <ostream>

#include "cli/commands.hpp"
#include "reference/git_revision.hpp"
#include "cli/options.hpp"
#ifdef ROUNDLAB_HAVE_CUDA
#include "device/cuda/device_query.hpp"
#endif

namespace roundlab::cli {

int run_version(const Args& args, std::ostream& out, std::ostream&) {
  Options o(args, {}, {});
  o.reject_positional("version takes no arguments");
  out << "roundlab " << ROUNDLAB_VERSION << " (revision " << git_revision() << ")\n";
  out << "mpfr " << mpfr_get_version() << "\n";
#ifdef ROUNDLAB_HAVE_CUDA
  auto s = device::cuda_status();
  out << "cuda: built (runtime " << s.runtime_version << "), " << s.device_count << " device(s)";
  if (s.device_count > 0) out << ", first: " << s.device_name << (s.kernel_ran ? ", probe kernel ran" : ", probe kernel failed");
  out << "\n";
#else
  out << "cuda: not built (nvcc was not found at configure time)\n";
#endif
  return 0;
}

}  // namespace roundlab::cli
