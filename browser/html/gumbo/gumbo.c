// gumbo-parser 0.10.1 compiled as one translation unit (see README.md): the tokenizer calls
// the UTF-8 reader, the string buffer and the error functions once or more per input
// character, and in one unit the compiler inlines them. The character reference matcher
// (char_ref.c, a generated state machine) comes from Debian's libgumbo.a.
#include "attribute.c"
#include "error.c"
#include "parser.c"
#include "string_buffer.c"
#include "string_piece.c"
#include "tag.c"
#include "tokenizer.c"
#include "utf8.c"
#include "util.c"
#include "vector.c"
