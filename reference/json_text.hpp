// JSON text for the suite's machine-readable outputs (CLI results, proof certificates).
#pragma once
#include <string>
#include <string_view>

namespace roundlab {

// s as a JSON string literal: quoted, with '"', '\\' and control characters escaped. Exact (byte for
// byte; UTF-8 passes through unchanged).
std::string json_string(std::string_view s);

}  // namespace roundlab
