// The smoke report (ReportSmokeGenerate fixture) in headless Chromium: it renders without console
// errors, the DOM Chromium builds holds every section and every figure with its data marks, and a
// screenshot of the first screen is a real 1280x900 image with content (decoded here: many colours,
// a good share of non-white pixels), not a blank page. Skipped when Chromium was not found at
// configure time.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "support/cli_testing.hpp"

namespace {

namespace fs = std::filesystem;
using roundlab::cli_testing::contains;
using roundlab::cli_testing::slurp;

const fs::path kSmoke = ROUNDLAB_REPORT_SMOKE_DIR;
const std::string kChromium = ROUNDLAB_CHROMIUM;

struct BrowserRun {
  int rc;
  std::string out, err;
};

BrowserRun chromium(const std::string& flags, const fs::path& page) {
  const fs::path err = fs::temp_directory_path() / ("roundlab_chromium_" + std::to_string(::getpid()) + ".err");
  const std::string cmd = "'" + kChromium + "' --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 " +
                          flags + " 'file://" + fs::absolute(page).string() + "' 2>'" + err.string() + "'";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {-1, "", "popen failed"};
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int rc = ::pclose(p);
  const std::string e = slurp(err);
  fs::remove(err);
  return {rc, out, e};
}

// Console messages Chromium logged for the page itself ("INFO:CONSOLE ... source: file://.../index.html").
std::vector<std::string> console_messages(const std::string& log) {
  std::vector<std::string> out;
  for (const auto& line : roundlab::cli_testing::lines(log))
    if (contains(line, ":CONSOLE") || contains(line, "Uncaught")) out.push_back(line);
  return out;
}

struct Image {
  unsigned width = 0, height = 0;
  std::vector<unsigned char> rgb;  // width*height*3
};

std::uint32_t be32(const unsigned char* p) { return (std::uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }

// An 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes), decoded; error text otherwise.
std::string decode_png(const std::string& bytes, Image& img) {
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 8 || bytes.compare(0, 8, std::string(reinterpret_cast<const char*>(sig), 8)) != 0) return "no PNG signature";
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  std::string idat;
  int colour_type = -1, depth = 0, interlace = 0;
  for (std::size_t pos = 8; pos + 12 <= bytes.size();) {
    const std::uint32_t len = be32(b + pos);
    const std::string type = bytes.substr(pos + 4, 4);
    if (pos + 12 + len > bytes.size()) return "truncated chunk " + type;
    const unsigned char* data = b + pos + 8;
    if (type == "IHDR") {
      img.width = be32(data);
      img.height = be32(data + 4);
      depth = data[8];
      colour_type = data[9];
      interlace = data[12];
    } else if (type == "IDAT") {
      idat.append(reinterpret_cast<const char*>(data), len);
    }
    pos += 12 + len;
  }
  if (depth != 8 || (colour_type != 2 && colour_type != 6) || interlace != 0)
    return "unsupported PNG: depth " + std::to_string(depth) + ", colour type " + std::to_string(colour_type);
  const unsigned channels = colour_type == 6 ? 4 : 3;
  const std::size_t stride = std::size_t(img.width) * channels;
  std::vector<unsigned char> raw((stride + 1) * img.height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK || raw_len != raw.size())
    return "IDAT does not inflate to " + std::to_string(raw.size()) + " bytes";
  std::vector<unsigned char> prev(stride, 0), cur(stride);
  img.rgb.reserve(std::size_t(img.width) * img.height * 3);
  for (unsigned y = 0; y < img.height; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* line = &raw[y * (stride + 1) + 1];
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= channels ? cur[i - channels] : 0, up = prev[i], c = i >= channels ? prev[i - channels] : 0;
      int pred = 0;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = up; break;
        case 3: pred = (a + up) / 2; break;
        case 4: {
          const int p = a + up - c, pa = std::abs(p - a), pb = std::abs(p - up), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
          break;
        }
        default: return "bad filter " + std::to_string(filter);
      }
      cur[i] = static_cast<unsigned char>(line[i] + pred);
    }
    for (unsigned x = 0; x < img.width; ++x)
      for (unsigned k = 0; k < 3; ++k) img.rgb.push_back(cur[x * channels + k]);
    prev.swap(cur);
  }
  return "";
}

class ReportInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kChromium.empty()) GTEST_SKIP() << "chromium was not found at configure time (Debian: apt-get install chromium)";
    ASSERT_TRUE(fs::is_regular_file(kSmoke / "index.html")) << "the ReportSmokeGenerate fixture did not write the report";
  }
};

TEST_F(ReportInChromium, DomHoldsEverySectionAndFigureWithoutConsoleErrors) {
  const BrowserRun r = chromium("--dump-dom", kSmoke / "index.html");
  ASSERT_EQ(r.rc, 0) << r.err.substr(0, 2000);
  const std::string html = slurp(kSmoke / "index.html");
  for (const char* id : {"formats", "bias", "verification", "drift", "training"})
    EXPECT_TRUE(contains(r.out, std::string("<section id=\"") + id + "\">")) << id;
  // Every figure of the file made it into the rendered document, with its marks.
  auto count = [](const std::string& s, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
  };
  const std::size_t figures = count(html, "<svg ");
  ASSERT_GE(figures, 19u);
  EXPECT_EQ(count(r.out, "<svg "), figures);
  EXPECT_EQ(count(r.out, "<figure "), figures);
  EXPECT_EQ(count(r.out, "class=\"mark "), count(html, "class=\"mark "));
  const auto messages = console_messages(r.err);
  EXPECT_TRUE(messages.empty()) << "first console message: " << messages.front();
}

TEST_F(ReportInChromium, ConsoleCheckCatchesAPageError) {
  // The check above would see a broken page: a script error is logged as a console message.
  const fs::path page = fs::temp_directory_path() / ("roundlab_broken_" + std::to_string(::getpid()) + ".html");
  { std::ofstream(page) << "<!DOCTYPE html><html><body><p>x</p><script>undefined_function();</script></body></html>"; }
  const BrowserRun r = chromium("--dump-dom", page);
  fs::remove(page);
  EXPECT_FALSE(console_messages(r.err).empty()) << r.err.substr(0, 2000);
}

TEST_F(ReportInChromium, ScreenshotOfTheFirstScreenIsNotBlank) {
  const fs::path png = fs::temp_directory_path() / ("roundlab_report_" + std::to_string(::getpid()) + ".png");
  const BrowserRun r = chromium("--screenshot='" + png.string() + "' --window-size=1280,900", kSmoke / "index.html");
  ASSERT_EQ(r.rc, 0) << r.err.substr(0, 2000);
  ASSERT_TRUE(fs::is_regular_file(png)) << r.err.substr(0, 2000);
  Image img;
  const std::string error = decode_png(slurp(png), img);
  ASSERT_EQ(error, "");
  EXPECT_EQ(img.width, 1280u);
  EXPECT_EQ(img.height, 900u);
  std::set<std::uint32_t> colours;
  std::size_t non_white = 0;
  for (std::size_t i = 0; i + 2 < img.rgb.size(); i += 3) {
    colours.insert((std::uint32_t(img.rgb[i]) << 16) | (img.rgb[i + 1] << 8) | img.rgb[i + 2]);
    non_white += img.rgb[i] < 240 || img.rgb[i + 1] < 240 || img.rgb[i + 2] < 240;
  }
  // Text, the provenance box and the table of contents: anti-aliased text alone gives dozens of colours.
  EXPECT_GE(colours.size(), 16u);
  const double share = double(non_white) / (double(img.width) * img.height);
  EXPECT_GT(share, 0.01);
  EXPECT_LT(share, 0.95);  // not one solid colour either
  fs::remove(png);
}

}  // namespace
