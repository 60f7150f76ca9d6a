// CUDA availability as seen by the runtime (see device_query.cu).
#pragma once
#include <string>

namespace roundlab::device {

struct CudaStatus {
  bool built = false;       // this binary contains CUDA code
  int runtime_version = 0;  // e.g. 13000
  int device_count = 0;
  std::string device_name;
  bool kernel_ran = false;  // a trivial kernel ran and returned its value
};

CudaStatus cuda_status();  // defined in device_query.cu (only when built with CUDA)

}  // namespace roundlab::device
