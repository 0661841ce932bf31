#pragma once
// The two text encodings of an entry list: application/x-www-form-urlencoded (the URL
// Standard's serializer, §5.2: UTF-8 bytes, space as '+', only *-._ and alphanumerics left
// as they are) and text/plain (HTML §4.10.21.8: "name=value" lines, CRLF-terminated).
// multipart/form-data is in multipart.hpp.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "browser/forms/entry_list.hpp"

namespace miniweb::browser::forms {

using NameValuePairs = std::vector<std::pair<std::string, std::string>>;

// The URL Standard's application/x-www-form-urlencoded serializer over UTF-8 pairs.
std::string urlencoded_serialize(const NameValuePairs& pairs);
// Its parser (URL Standard §5.1): '+' as space, %XX decoded; for the trace and the tests.
NameValuePairs urlencoded_parse(std::string_view text);

// HTML §4.10.21.8, "convert to a list of name-value pairs": a file entry sends its file's
// name; newlines in names and values become CRLF.
NameValuePairs name_value_pairs(const std::vector<Entry>& entries);

// The body (or the query) of a urlencoded submission.
std::string urlencoded_body(const std::vector<Entry>& entries);
// The body of a text/plain submission.
std::string text_plain_body(const std::vector<Entry>& entries);

}  // namespace miniweb::browser::forms
