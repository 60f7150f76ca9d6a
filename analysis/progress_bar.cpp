#include "analysis/progress_bar.hpp"

#include <algorithm>
#include <cstdio>

namespace roundlab::analysis {

ProgressBar::ProgressBar(std::string label, std::uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total == 0 ? 1 : total), enabled_(enabled),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::advance(std::uint64_t units) {
  done_ += units;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw(false);
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_ || !enabled_) {
    finished_ = true;
    return;
  }
  finished_ = true;
  draw(true);
}

void ProgressBar::draw(bool final) {
  const double frac = final ? 1.0 : std::min(1.0, static_cast<double>(done_.load()) / static_cast<double>(total_));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  constexpr int kWidth = 30;
  std::string bar(kWidth, '-');
  for (int i = 0; i < static_cast<int>(frac * kWidth); ++i) bar[i] = '#';
  char eta[32] = "";
  if (!final && frac > 0.01) std::snprintf(eta, sizeof eta, "  eta %.0f s", secs * (1 - frac) / frac);
  std::fprintf(stderr, "\r%s [%s] %3.0f%%  %.1f s%s   %s", label_.c_str(), bar.c_str(), frac * 100, secs, eta,
               final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace roundlab::analysis
