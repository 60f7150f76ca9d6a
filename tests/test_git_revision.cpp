// The revision recorded in every output is the checkout's, refreshed at build time: 12 hex digits of
// HEAD ("-dirty" when tracked files differed), equal to what git says now (ctest runs after a build of
// the same checkout; a mismatch means the binary is older than HEAD), or "unknown" outside git.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>

#include "reference/git_revision.hpp"

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

TEST(GitRevision, IsTheCheckoutsHead) {
  const std::string rev = roundlab::git_revision();
  const std::string head = run("git -C '" ROUNDLAB_SOURCE_DIR "' rev-parse --short=12 HEAD 2>/dev/null");
  if (head.empty()) {
    EXPECT_EQ(rev, "unknown");
    return;
  }
  EXPECT_TRUE(std::regex_match(rev, std::regex("[0-9a-f]{12}(-dirty)?"))) << rev;
  EXPECT_EQ(rev.substr(0, 12), head) << "the binary was built from " << rev << ", the checkout is at " << head
                                     << ": rebuild before testing";
}
