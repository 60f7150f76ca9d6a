// Exact periodic-orbit detection: a deterministic (RN) run of a finite-precision model whose state is
// all it carries is eventually periodic. An orbit is a state at step n equal to the one at step a < n,
// after which every state equals the one n − a steps before it for max(n − a, min_confirm) more steps;
// the transient is a, the period n − a. The confirmation matters for stochastic runs, which revisit
// states by chance in a finite state space (near an equilibrium even two steps in a row) but do not
// stay on a cycle; for a deterministic step every repeat is an orbit and the confirmation only costs
// steps. Exact: the states' bits are compared.
#pragma once
#include <array>
#include <bit>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace roundlab::analysis {

struct PeriodicOrbit {
  bool found = false;
  std::int64_t transient = 0;       // first step index on the orbit
  std::int64_t period = 0;          // steps between repeats
  std::int64_t steps_checked = 0;   // states observed − 1
  std::int64_t chance_repeats = 0;  // repeats of a state that the following steps did not continue
};

// Feed it the state after every step (the initial state first); observe() returns true once an orbit
// is confirmed. Memory: one entry per state observed.
template <std::size_t N>
class PeriodicOrbitDetector {
 public:
  using Key = std::array<std::uint64_t, N>;

  explicit PeriodicOrbitDetector(std::int64_t expected_states = 1 << 16, std::int64_t min_confirm = 1000)
      : min_confirm_(min_confirm) {
    const auto n = static_cast<std::size_t>(expected_states < (1 << 22) ? expected_states : (1 << 22));
    first_seen_.reserve(n);
    history_.reserve(n);
  }

  bool observe(const std::array<double, N>& state) {
    if (result_.found) return true;
    Key k{};
    for (std::size_t i = 0; i < N; ++i) k[i] = std::bit_cast<std::uint64_t>(state[i]);
    const auto n = static_cast<std::int64_t>(history_.size());
    history_.push_back(k);
    result_.steps_checked = n;
    const auto [it, inserted] = first_seen_.emplace(k, n);
    if (candidate_ >= 0) {  // confirming: every state repeats the one a period earlier
      const std::int64_t period = repeat_at_ - candidate_;
      if (k == history_[static_cast<std::size_t>(n - period)]) {
        if (n - repeat_at_ >= (period > min_confirm_ ? period : min_confirm_)) {
          result_.found = true;
          result_.transient = candidate_;
          result_.period = period;
        }
        return result_.found;
      }
      ++result_.chance_repeats;
      candidate_ = -1;
    }
    if (!inserted) {
      candidate_ = it->second;
      repeat_at_ = n;
    }
    return false;
  }

  const PeriodicOrbit& result() const { return result_; }

 private:
  struct Hash {
    std::size_t operator()(const Key& k) const {
      std::uint64_t h = 0x9E3779B97F4A7C15ull;
      for (std::uint64_t w : k) h = (h ^ w) * 0xBF58476D1CE4E5B9ull + (h >> 29);
      return static_cast<std::size_t>(h);
    }
  };
  std::unordered_map<Key, std::int64_t, Hash> first_seen_;
  std::vector<Key> history_;  // history_[n] = the state after n steps
  std::int64_t min_confirm_;
  std::int64_t candidate_ = -1, repeat_at_ = -1;
  PeriodicOrbit result_;
};

// Runs `step(state)` up to max_steps times from `state` (N components, each mapped to a double by
// to_double_fn), stopping once an orbit is confirmed.
template <std::size_t N, class State, class Step, class ToDouble>
PeriodicOrbit find_periodic_orbit(State state, Step step, std::int64_t max_steps, ToDouble to_double_fn) {
  PeriodicOrbitDetector<N> detector(max_steps + 1);
  auto observe = [&] {
    std::array<double, N> d{};
    for (std::size_t i = 0; i < N; ++i) d[i] = to_double_fn(state[i]);
    return detector.observe(d);
  };
  if (observe()) return detector.result();
  for (std::int64_t n = 0; n < max_steps; ++n) {
    step(state);
    if (observe()) break;
  }
  return detector.result();
}

}  // namespace roundlab::analysis
