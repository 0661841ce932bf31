#pragma once
// The built-in user-agent style: how each element displays, modelled on what lynx and w3m
// do with it. There is no CSS; the one style a page can set is the inline display:none that
// pages use to hide things.

#include "browser/html/dom.hpp"

namespace miniweb::browser::layout {

enum class Display {
  Inline,
  Hidden,
  Block,
  Paragraph,  // a block with a blank line before and after
  Heading,
  Preformatted,
  List,
  ListItem,
  Definition,
  Blockquote,
  Table,
  LineBreak,
  Rule,
  Image,
  Anchor,
  Bold,
  Italic,
  Underline,
  Code,
  Input,
  Button,
  Select,
  Textarea,
  Quote,
  Superscript,
  WordBreak,
  Center,
};

// How the element displays; unknown elements are inline, as in every browser.
Display display_of(const html::Node& element);

// Hidden by the attribute or by the one inline style that pages use to hide things.
bool is_hidden(const html::Node& node);

}  // namespace miniweb::browser::layout
