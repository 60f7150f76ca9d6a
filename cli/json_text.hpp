// Minimal JSON text helpers for the CLI's machine-readable output.
#pragma once
#include <string>
#include <string_view>

namespace roundlab::cli {

std::string json_string(std::string_view s);  // quoted and escaped

}  // namespace roundlab::cli
