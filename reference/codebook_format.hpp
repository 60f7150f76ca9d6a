// CodebookFormat: a format given as an exact list of values (NF4, SF4_ν, APoT4, FP4 variants, INT-k…),
// and its rounding: nearest with a selectable tie rule, directed modes, and SR between the two
// neighbouring values. See formats.md §4–§5 for every list and its source.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "reference/exact_value.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

struct CodebookFormat {
  std::string name;
  std::string family;  // "bitsandbytes", "llm-datatypes", "int"
  std::string source;
  int k = 4;                          // bits per code
  std::vector<ExactValue> values;     // strictly ascending, exact
  std::vector<std::uint64_t> codes;   // codes[i] encodes values[i]
  TieRule default_tie = TieRule::Lower;

  void validate() const;  // InputError when not strictly ascending, codes clash, etc.
  ExactValue decode(std::uint64_t code) const;       // InputError for an unused code
  std::uint64_t encode(const ExactValue& v) const;   // NoEncodingError when v is not in the list
};

// Rounds x to the codebook. See codebook_format.cpp for the definition of every edge case.
RoundResult round_codebook(const CodebookFormat& format, const Rounding& rounding, const ExactValue& x,
                           const RandomDraw& draw = {});

// Every named codebook of the catalogue.
std::vector<CodebookFormat> codebook_catalogue();

// Symmetric INT-k: {−(2^(k−1)−1), …, 2^(k−1)−1}, integers (scale applied by the caller).
CodebookFormat symmetric_int_codebook(int bits);

}  // namespace roundlab
