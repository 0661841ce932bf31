#pragma once

#include <string_view>

namespace miniweb::server {

// The media type for a file name's extension, as nginx's mime.types maps it.
std::string_view mime_type_for(std::string_view file_name);

}  // namespace miniweb::server
