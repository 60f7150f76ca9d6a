// Character-level data as nanoGPT's data/shakespeare_char/prepare.py builds it: the vocabulary is the
// sorted set of distinct characters of the text, ids follow that order, train = the first ⌊0.9·n⌋ ids,
// val = the rest. Characters are bytes: an ASCII text (tinyshakespeare) gives Python's vocabulary
// exactly; a multi-byte UTF-8 character becomes several tokens here (one in Python).
//
// Batches (train.py get_batch): B offsets drawn uniformly from [0, len(split) − T), with replacement, no
// epochs; x = split[i, i+T), y = split[i+1, i+1+T). The generator is std::mt19937_64 (seeded by the
// caller) and an offset is the bounded draw of Lemire's multiply-shift method with rejection (exactly
// uniform, fully specified, unlike std::uniform_int_distribution whose algorithm the standard leaves
// open): a seed gives the same batches on every platform. nanoGPT draws with torch's generator
// (torch.randint after torch.manual_seed(1337)), which cannot be reproduced here, so the batches differ
// from nanoGPT's; only their distribution is the same.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace roundlab::gpt {

class CharDataset {
 public:
  // Throws InputError when the text has fewer than 2 distinct characters or is too short to split.
  static CharDataset from_text(std::string_view text);
  // Reads the whole file (bytes). Throws InputError naming the path when it cannot be read.
  static CharDataset from_file(const std::string& path);

  int vocab_size() const { return static_cast<int>(chars_.size()); }
  const std::string& chars() const { return chars_; }  // id → character
  const std::vector<int>& train() const { return train_; }
  const std::vector<int>& val() const { return val_; }

  std::vector<int> encode(std::string_view text) const;  // InputError on a character not in the vocabulary
  std::string decode(const std::vector<int>& ids) const;

 private:
  std::string chars_;
  int id_of_[256] = {};
  std::vector<int> train_, val_;
};

// Uniform integer in [0, bound) from a 64-bit engine (Lemire 2019, "Fast random integer generation in an
// interval"): the high half of r·bound, rejecting the few r that would bias it. bound ≥ 1.
std::uint64_t bounded_draw(std::mt19937_64& rng, std::uint64_t bound);

// Fills x and y (B×T, row-major) with a random-offset batch of `split` (see above). Throws InputError
// when the split has no more than T tokens.
void sample_batch(std::mt19937_64& rng, const std::vector<int>& split, int B, int T, int* x, int* y);

}  // namespace roundlab::gpt
