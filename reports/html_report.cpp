#include "reports/html_report.hpp"

#include "reports/svg_plot.hpp"

namespace roundlab::reports {

namespace {

// Screen: a readable column; print: full width, figures and table rows kept whole, each section on a
// new page, no navigation (long tables folded in <details> print folded).
const char* kCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1100px;margin:0 auto;padding:0 24px 48px;color:#222;line-height:1.45}
h1{font-size:1.7em;margin:0.8em 0 0.3em}h2{border-bottom:2px solid #0072B2;padding-bottom:4px;margin-top:2em}
dl.provenance{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:0.9em;background:#f4f6f8;padding:10px 14px;border-radius:6px}
dl.provenance dt{font-weight:600}dl.provenance dd{margin:0;word-break:break-word}
nav ol{columns:2;font-size:0.95em}
figure{margin:1.2em 0;page-break-inside:avoid;break-inside:avoid}
figure svg{width:100%;height:auto;max-width:900px;display:block}
figcaption{font-size:0.9em;color:#444;max-width:900px}
.data{font-size:0.8em;color:#555}.data a{color:#0060a0;margin-right:0.8em}
table{border-collapse:collapse;font-size:0.85em;margin:0.6em 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef2f6}tr{page-break-inside:avoid;break-inside:avoid}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}
details,section{overflow-x:auto}
details summary{cursor:pointer;font-weight:600;margin:0.6em 0}
.status-passed,.status-ok{color:#007a3d;font-weight:600}.status-FAILED,.status-mismatch{color:#b00020;font-weight:600}
@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}h2{page-break-before:always;break-before:page}
 h2:first-of-type{page-break-before:avoid;break-before:avoid}a{color:inherit;text-decoration:none}}
)";

bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'x' || c == 'p' || c == '/' ||
          (c >= 'a' && c <= 'f')))
      return false;
  return (s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+';
}

std::string data_links(const std::vector<std::string>& files) {
  if (files.empty()) return "";
  std::string o = "<div class=\"data\">data: ";
  for (const auto& f : files) o += "<a href=\"" + html_escape(f) + "\">" + html_escape(f) + "</a>";
  return o + "</div>\n";
}

std::string table_html(const Table& t) {
  std::string o;
  if (t.collapsed) o += "<details><summary>" + html_escape(t.caption) + " (" + std::to_string(t.rows.size()) + " rows)</summary>\n";
  o += "<table>";
  if (!t.collapsed && !t.caption.empty()) o += "<caption>" + html_escape(t.caption) + "</caption>";
  o += "<thead><tr>";
  for (const auto& h : t.header) o += "<th>" + html_escape(h) + "</th>";
  o += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    o += "<tr>";
    for (const auto& c : row) {
      std::string cls;
      if (c == "passed" || c == "ok" || c == "PASS") cls = " class=\"status-passed\"";
      else if (c == "FAILED" || c == "mismatch" || c == "FAIL") cls = " class=\"status-FAILED\"";
      else if (looks_numeric(c)) cls = " class=\"num\"";
      o += "<td" + cls + ">" + html_escape(c) + "</td>";
    }
    o += "</tr>\n";
  }
  o += "</tbody></table>\n";
  if (t.collapsed) o += "</details>\n";
  return o + data_links(t.data_files);
}

}  // namespace

std::string html_escape(const std::string& text) { return xml_escape(text); }

std::string HtmlReport::html() const {
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                  html_escape(title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  o += "<h1>" + html_escape(title) + "</h1>\n<dl class=\"provenance\">\n";
  for (const auto& [k, v] : provenance) o += "<dt>" + html_escape(k) + "</dt><dd>" + html_escape(v) + "</dd>\n";
  o += "</dl>\n<nav><ol>\n";
  for (const Section& s : sections) o += "<li><a href=\"#" + html_escape(s.id) + "\">" + html_escape(s.title) + "</a></li>\n";
  o += "</ol></nav>\n";
  int figure_number = 0;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    o += "<section id=\"" + html_escape(s.id) + "\">\n<h2>" + std::to_string(i + 1) + ". " + html_escape(s.title) + "</h2>\n";
    for (const Block& b : s.blocks) {
      if (const auto* p = std::get_if<Paragraph>(&b)) {
        o += "<p>" + html_escape(p->text) + "</p>\n";
      } else if (const auto* f = std::get_if<Figure>(&b)) {
        ++figure_number;
        o += "<figure id=\"figure-" + std::to_string(figure_number) + "\">\n" + f->svg + "<figcaption>Figure " +
             std::to_string(figure_number) + ". " + html_escape(f->caption) + "</figcaption>\n" + data_links(f->data_files) +
             "</figure>\n";
      } else {
        o += table_html(std::get<Table>(b));
      }
    }
    o += "</section>\n";
  }
  return o + "</body>\n</html>\n";
}

}  // namespace roundlab::reports
