// User text quoted in a message: short and printable, whatever was typed or read. A 1 MB string
// or a binary file's bytes must not flood a terminal or reach it as control sequences.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace metabosim {

// At most `limit` characters of `text` (UTF-8 sequences kept whole; then "..." and the full
// length), with control characters, DEL and bytes that are not UTF-8 written as \n, \t, \xNN.
std::string echo(std::string_view text, std::size_t limit = 80);

// echo(text) in double quotes.
std::string echo_quoted(std::string_view text, std::size_t limit = 80);

}  // namespace metabosim
