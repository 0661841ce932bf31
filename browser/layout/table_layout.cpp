#include "browser/layout/table_layout.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "browser/layout/attribute_values.hpp"
#include "browser/layout/block_layout.hpp"
#include "browser/layout/user_agent_style.hpp"

namespace miniweb::browser::layout {

namespace {

using html::Node;

// Tables inside table cells are measured, then laid out, so each level of nesting doubles
// the work; deeper tables are drawn as plain blocks, one cell under the other.
constexpr int kMaxTableNesting = 3;
constexpr int kMaxTableColumns = 256;

struct Cell {
  const Node* node;
  int column;
  int span;
  int row_span = 1;
  int min = 0;
  int max = 0;
};

// The table's cells by row and column, with the captions to draw above it.
struct Grid {
  std::vector<std::vector<Cell>> rows;
  std::vector<const Node*> captions;
  int columns = 0;
};

Grid collect_grid(const Node& table) {
  Grid grid;
  auto& rows = grid.rows;
  // occupied_until[c]: the first row index no longer covered by a rowspan in column c.
  std::vector<int> occupied_until(kMaxTableColumns, 0);
  const auto add_row = [&rows, &occupied_until](const Node& row_node) {
    std::vector<Cell> row;
    const int index = static_cast<int>(rows.size());
    int column = 0;
    for (const Node& child : row_node.children()) {
      if (!child.is_element() || (child.tag() != "td" && child.tag() != "th")) continue;
      while (column < kMaxTableColumns &&
             occupied_until[static_cast<std::size_t>(column)] > index) {
        ++column;
      }
      if (is_hidden(child) || column >= kMaxTableColumns) continue;
      const int span =
          std::clamp(parse_int(child.attribute("colspan"), 1), 1, kMaxTableColumns - column);
      // rowspan="0" (to the end of the group) is taken as 1.
      const int row_span = std::clamp(parse_int(child.attribute("rowspan"), 1), 1, 65534);
      for (int c = column; c < column + span; ++c) {
        occupied_until[static_cast<std::size_t>(c)] = index + row_span;
      }
      row.push_back({&child, column, span, row_span});
      column += span;
    }
    if (!row.empty()) rows.push_back(std::move(row));
  };
  for (const Node& child : table.children()) {
    if (!child.is_element() || is_hidden(child)) continue;
    if (child.tag() == "tr") {
      add_row(child);
    } else if (child.tag() == "thead" || child.tag() == "tbody" || child.tag() == "tfoot") {
      for (const Node& row : child.children()) {
        if (row.is_element() && row.tag() == "tr" && !is_hidden(row)) add_row(row);
      }
    } else if (child.tag() == "caption") {
      grid.captions.push_back(&child);
    }
  }
  for (const auto& row : rows) {
    grid.columns = std::max(grid.columns, row.back().column + row.back().span);
  }
  return grid;
}

Style cell_style(const Style& table_style, const Cell& cell) {
  Style style = table_style;
  style.preformatted = false;
  if (cell.node->tag() == "th") style.bold = true;
  return style;
}

// The narrowest each column can be without breaking a word (CSS's min-content width) and
// the width it takes when nothing wraps (max-content), from its cells.
struct ColumnBounds {
  std::vector<int> min;
  std::vector<int> max;
  std::int64_t sum_min = 0;
  std::int64_t sum_max = 0;
};

ColumnBounds column_bounds(const std::vector<std::vector<Cell>>& rows, int columns, int gap) {
  const auto count = static_cast<std::size_t>(columns);
  ColumnBounds bounds{std::vector<int>(count, 0), std::vector<int>(count, 0)};
  std::vector<int>& min = bounds.min;
  std::vector<int>& max = bounds.max;
  for (const auto& row : rows) {
    for (const Cell& cell : row) {
      if (cell.span != 1) continue;
      const auto c = static_cast<std::size_t>(cell.column);
      min[c] = std::max(min[c], cell.min);
      max[c] = std::max(max[c], cell.max);
    }
  }
  // A spanning cell wider than its columns widens the last of them, which keeps the
  // columns before it as narrow as their own cells.
  for (const auto& row : rows) {
    for (const Cell& cell : row) {
      if (cell.span == 1) continue;
      const auto first = static_cast<std::size_t>(cell.column);
      const auto last = first + static_cast<std::size_t>(cell.span) - 1;
      for (auto* bound : {&min, &max}) {
        const int want = bound == &min ? cell.min : cell.max;
        int have = gap * (cell.span - 1);
        for (std::size_t c = first; c <= last; ++c) have += (*bound)[c];
        if (want > have) (*bound)[last] += want - have;
      }
    }
  }
  for (std::size_t c = 0; c < count; ++c) {
    max[c] = std::max(max[c], min[c]);
    bounds.sum_min += min[c];
    bounds.sum_max += max[c];
  }
  return bounds;
}

// Columns as wide as their widest cell when the table fits; otherwise each column gets
// its narrowest (widest word) plus a share of the rest in proportion to how much it
// wants. When even the narrowest do not fit, w3m keeps every word whole and lets the table
// run past the line's end; so do we: each column is as wide as its widest word.
std::vector<int> column_widths(const ColumnBounds& bounds, std::int64_t available) {
  if (bounds.sum_max <= available) return bounds.max;
  if (bounds.sum_min >= available) return bounds.min;
  const std::int64_t extra = available - bounds.sum_min;
  const std::int64_t flexible = bounds.sum_max - bounds.sum_min;
  std::vector<int> widths(bounds.min.size());
  for (std::size_t c = 0; c < widths.size(); ++c) {
    widths[c] =
        bounds.min[c] + static_cast<int>((bounds.max[c] - bounds.min[c]) * extra / flexible);
  }
  return widths;
}

}  // namespace

void layout_table(BlockLayout& parent, const Node& table) {
  if (parent.table_depth() >= kMaxTableNesting) {
    parent.block(table, Margin::BlankLine, 0);
    return;
  }
  Grid grid = collect_grid(table);
  auto& rows = grid.rows;
  const int columns = grid.columns;
  InlineLayout& lines = parent.inline_layout();
  const int cell_unit = lines.cell();
  const int left = lines.left();
  const int right = lines.right();

  lines.end_block(Margin::BlankLine);
  for (const Node* caption : grid.captions) parent.block(*caption, Margin::None, 0);
  if (rows.empty()) {
    lines.end_block(Margin::BlankLine);
    return;
  }

  // Too narrow for the columns side by side: one cell under the other, as lynx does.
  if (static_cast<std::int64_t>(right - left) <
      static_cast<std::int64_t>(columns) * 3 * cell_unit - 2 * cell_unit) {
    for (const auto& row : rows) {
      for (const Cell& cell : row) parent.block(*cell.node, Margin::None, 0);
    }
    lines.end_block(Margin::BlankLine);
    return;
  }

  // Measure every cell with nothing wrapping. Link numbers come out as in the real pass
  // (same order, same starting number) but are kept apart.
  std::vector<std::string>& links = parent.links();
  std::vector<std::string> scratch_links;
  const int scratch_offset = parent.link_offset() + static_cast<int>(links.size());
  for (auto& row : rows) {
    for (Cell& cell : row) {
      BlockLayout measure(parent.measurer(), scratch_links, scratch_offset, {0, kUnbounded, -1},
                          parent.table_depth() + 1, cell_style(lines.style(), cell));
      measure.set_forms(parent.forms());
      measure.layout_children(*cell.node);
      measure.finish();
      cell.min = measure.min_width();
      cell.max = std::max(measure.max_width(), cell.min);
    }
  }
  const int gap = 2 * cell_unit;
  const ColumnBounds bounds = column_bounds(rows, columns, gap);
  const std::int64_t available =
      std::max<std::int64_t>(static_cast<std::int64_t>(right - left) - gap * (columns - 1),
                             static_cast<std::int64_t>(columns) * cell_unit);
  const std::vector<int> widths = column_widths(bounds, available);

  std::vector<int> starts(static_cast<std::size_t>(columns) + 1, 0);
  for (int c = 0; c < columns; ++c) {
    starts[static_cast<std::size_t>(c) + 1] =
        starts[static_cast<std::size_t>(c)] + widths[static_cast<std::size_t>(c)] + gap;
  }
  // A table in a cell being measured says how narrow it can be: its columns at their
  // narrowest, so that the outer table can make room without breaking words elsewhere.
  const auto gaps = static_cast<std::int64_t>(gap) * (columns - 1);
  lines.include_min_width(static_cast<int>(
      std::min<std::int64_t>(left + bounds.sum_min + gaps, std::numeric_limits<int>::max())));

  // Cells spanning rows hang down into the rows below; each row then starts below every
  // spanning cell that ended above it.
  struct Hanging {
    int last_row;
    int bottom;
  };
  std::vector<Hanging> hanging;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    // (A list item that starts with a table gets its marker on the first row.)
    const int top = lines.start_line();
    int row_height = 0;
    for (const Cell& cell : row) {
      const int x = left + starts[static_cast<std::size_t>(cell.column)];
      const int width = starts[static_cast<std::size_t>(cell.column + cell.span)] -
                        starts[static_cast<std::size_t>(cell.column)] - gap;
      BlockLayout layout(parent.measurer(), links, parent.link_offset(),
                         {0, std::max(width, cell_unit), -1}, parent.table_depth() + 1,
                         cell_style(lines.style(), cell));
      layout.set_forms(parent.forms());
      layout.layout_children(*cell.node);
      layout.finish();
      lines.place_runs(layout.take_runs(), x);
      lines.include_max_width(x + layout.max_width());
      if (cell.row_span > 1) {
        hanging.push_back({static_cast<int>(r) + cell.row_span - 1, top + layout.height()});
        row_height = std::max(row_height, std::min(layout.height(), lines.blank_height()));
      } else {
        row_height = std::max(row_height, layout.height());
      }
    }
    int bottom = top + row_height;
    const bool last = r + 1 == rows.size();
    for (const Hanging& cell : hanging) {
      if (cell.last_row == static_cast<int>(r) || (last && cell.last_row > static_cast<int>(r))) {
        bottom = std::max(bottom, cell.bottom);
      }
    }
    lines.move_down_to(bottom);
  }
  lines.end_block(Margin::BlankLine);
}

}  // namespace miniweb::browser::layout
