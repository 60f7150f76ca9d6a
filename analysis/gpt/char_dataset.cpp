#include "analysis/gpt/char_dataset.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

#include "reference/error.hpp"

namespace roundlab::gpt {

CharDataset CharDataset::from_text(std::string_view text) {
  CharDataset d;
  bool seen[256] = {};
  for (unsigned char c : text) seen[c] = true;
  for (int c = 0; c < 256; ++c) {
    if (!seen[c]) continue;
    d.id_of_[c] = static_cast<int>(d.chars_.size());
    d.chars_.push_back(static_cast<char>(c));
  }
  if (d.chars_.size() < 2) throw InputError("character dataset: the text needs at least 2 distinct characters");
  const std::vector<int> ids = d.encode(text);
  const std::size_t n_train = static_cast<std::size_t>(static_cast<double>(ids.size()) * 0.9);  // int(n*0.9)
  if (n_train < 2 || ids.size() - n_train < 2)
    throw InputError("character dataset: a text of " + std::to_string(text.size()) + " characters is too short to split 90/10");
  d.train_.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n_train));
  d.val_.assign(ids.begin() + static_cast<std::ptrdiff_t>(n_train), ids.end());
  return d;
}

CharDataset CharDataset::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("character dataset: cannot read '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  return from_text(buf.str());
}

std::vector<int> CharDataset::encode(std::string_view text) const {
  std::vector<int> out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const int id = id_of_[c];
    if (static_cast<unsigned char>(chars_[static_cast<std::size_t>(id)]) != c)
      throw InputError("character dataset: byte " + std::to_string(c) + " is not in the vocabulary");
    out.push_back(id);
  }
  return out;
}

std::string CharDataset::decode(const std::vector<int>& ids) const {
  std::string out;
  out.reserve(ids.size());
  for (int id : ids) out.push_back(chars_.at(static_cast<std::size_t>(id)));
  return out;
}

std::uint64_t bounded_draw(std::mt19937_64& rng, std::uint64_t bound) {
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * bound;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

void sample_batch(std::mt19937_64& rng, const std::vector<int>& split, int B, int T, int* x, int* y) {
  if (T < 1 || split.size() <= static_cast<std::size_t>(T))
    throw InputError("character dataset: a split of " + std::to_string(split.size()) + " tokens is too short for blocks of " +
                     std::to_string(T));
  const std::uint64_t range = split.size() - static_cast<std::size_t>(T);  // torch.randint(len(data) − block_size)
  for (int b = 0; b < B; ++b) {
    const std::size_t i = bounded_draw(rng, range);
    for (int t = 0; t < T; ++t) {
      x[b * T + t] = split[i + t];
      y[b * T + t] = split[i + t + 1];
    }
  }
}

}  // namespace roundlab::gpt
