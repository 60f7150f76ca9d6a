// A progress bar for long runs, on stderr: "label [#####-----]  45%  12.3 s  eta 15 s". Thread-safe;
// prints at most five times a second, and nothing when disabled (tests, quiet runs).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace roundlab::analysis {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total, bool enabled);
  ~ProgressBar();  // finishes the line
  void advance(std::uint64_t units);
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  std::atomic<std::uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace roundlab::analysis
