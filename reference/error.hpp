// Errors that the reference reports to its callers. Every message names the offending input and what
// was expected, so the CLI can print it unchanged.
#pragma once
#include <stdexcept>
#include <string>

namespace roundlab {

// Bad input from a user or caller (unknown name, malformed number, parameter out of range).
class InputError : public std::invalid_argument {
 public:
  explicit InputError(const std::string& what) : std::invalid_argument(what) {}
};

// A well-formed request that has no answer in the chosen format (e.g. NaN into a format without NaN).
class NoEncodingError : public std::domain_error {
 public:
  explicit NoEncodingError(const std::string& what) : std::domain_error(what) {}
};

}  // namespace roundlab
