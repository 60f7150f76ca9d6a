// The report page: a title, a line of provenance (revision, seeds, how it was made), a table of
// contents and numbered sections of paragraphs, figures (inline SVG with links to the data behind
// them) and tables. One self-contained HTML file: inline CSS (screen and print), no script, no
// external resource.
#pragma once
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace roundlab::reports {

struct Paragraph {
  std::string text;  // plain text (escaped when written)
};

struct Figure {
  std::string svg;                      // from Plot::svg()
  std::string caption;                  // plain text
  std::vector<std::string> data_files;  // paths relative to the page, linked under the figure
};

struct Table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  bool collapsed = false;  // inside <details> (long tables: open it to read, no script needed)
  std::vector<std::string> data_files;
};

using Block = std::variant<Paragraph, Figure, Table>;

struct Section {
  std::string id;     // anchor, e.g. "bias"
  std::string title;  // "Bias and variance"
  std::vector<Block> blocks;
  void paragraph(std::string text) { blocks.emplace_back(Paragraph{std::move(text)}); }
  void figure(Figure f) { blocks.emplace_back(std::move(f)); }
  void table(Table t) { blocks.emplace_back(std::move(t)); }
};

struct HtmlReport {
  std::string title;
  std::vector<std::pair<std::string, std::string>> provenance;  // shown as a definition list
  std::vector<Section> sections;
  std::string html() const;
};

std::string html_escape(const std::string& text);

}  // namespace roundlab::reports
