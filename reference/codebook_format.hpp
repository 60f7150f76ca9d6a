// CodebookFormat: a format given as an exact list of values (NF4, SF4_ν, APoT4, FP4 variants, INT-k…),
// and its rounding: nearest with a selectable tie rule, directed modes, and SR between the two
// neighbouring values. See formats.md §4–§5 for every list and its source.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/multiprecision/gmp.hpp>

#include "reference/exact_value.hpp"
#include "reference/round_result.hpp"
#include "reference/rounding.hpp"

namespace roundlab {

struct CodebookFormat {
  std::string name;
  std::string family;  // "bitsandbytes", "llm-datatypes", "int"
  std::string source;
  int k = 4;                          // bits per code
  std::vector<ExactValue> values;     // strictly ascending; exact[i] or, if not dyadic, its 320-bit image
  std::vector<std::uint64_t> codes;   // codes[i] encodes values[i]
  TieRule default_tie = TieRule::Lower;
  // exact[i] is the exact rational of values[i] (values[i] is its round-to-odd image when not dyadic).
  // Empty for a hand-built codebook: values are then taken as exact.
  std::vector<boost::multiprecision::mpq_rational> exact;
  // A second code for zero that decodes to −0 (the sign bit of bitsandbytes FP4/INT4); the value list
  // itself holds +0 only. See codebook_format.cpp for when rounding returns it.
  std::optional<std::uint64_t> negative_zero_code;

  void validate() const;  // InputError when not strictly ascending, codes clash, etc.
  ExactValue decode(std::uint64_t code) const;       // InputError for an unused code
  std::uint64_t encode(const ExactValue& v) const;   // NoEncodingError when v is not in the list
};

// Rounds x to the codebook. See codebook_format.cpp for the definition of every edge case.
RoundResult round_codebook(const CodebookFormat& format, const Rounding& rounding, const ExactValue& x,
                           const RandomDraw& draw = {});

// CodeIsEven of values[index] for the ties-to-even / to-odd rows: the parity of its position counted
// outward from zero on its own side (0 is position 0). See codebook_format.cpp.
bool codebook_code_is_even(const CodebookFormat& format, size_t index);

// Every named codebook of the catalogue.
std::vector<CodebookFormat> codebook_catalogue();

// Symmetric INT-k: {−(2^(k−1)−1), …, 2^(k−1)−1}, integers (scale applied by the caller).
CodebookFormat symmetric_int_codebook(int bits);

}  // namespace roundlab
