// RoundResult: what every reference rounding returns.
#pragma once
#include <cstdint>

#include "reference/exact_value.hpp"

namespace roundlab {

struct RoundResult {
  ExactValue value;        // exact value of the result (a member of the format)
  std::uint64_t code = 0;  // its code in the format
  bool away = false;       // the rounding step moved away from zero (before saturation)
  bool saturated = false;  // saturation changed the rounded value
};

}  // namespace roundlab
