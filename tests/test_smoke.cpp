#include <gtest/gtest.h>

#include "reference/format_catalogue.hpp"
#include "reference/number_text.hpp"
#include "reference/round_to_precision.hpp"

using namespace roundlab;

TEST(Smoke, RneOneThirdToBinary16) {
  auto f = std::get<IeeeLikeFormat>(find_format("binary16"));
  Rounding r;
  auto res = project(f, r, parse_number("0.1"));
  EXPECT_EQ(res.code, 0x2e66u);
}
