#include "metabosim/model/echo.hpp"

#include <fmt/format.h>

namespace metabosim {
namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 if it is not one (overlong forms and
// surrogates included: they are escaped like any stray byte).
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t n = 0;
    unsigned min = 0;
    if (lead >= 0xc2 && lead <= 0xdf) n = 2, min = 0x80;
    else if (lead >= 0xe0 && lead <= 0xef) n = 3, min = 0x800;
    else if (lead >= 0xf0 && lead <= 0xf4) n = 4, min = 0x10000;
    else return 0;
    if (i + n > text.size()) return 0;
    unsigned code = lead & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
        code = code << 6 | (byte(i + k) & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
    return n;
}

}  // namespace

std::string echo(std::string_view text, std::size_t limit) {
    std::string out;
    std::size_t shown = 0, i = 0;
    for (; i < text.size() && shown < limit; ++shown) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += text[i++];
        } else if (const std::size_t n = c >= 0x80 ? utf8_length(text, i) : 0) {
            out.append(text.substr(i, n));
            i += n;
        } else {
            out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : fmt::format("\\x{:02x}", c);
            ++i;
        }
    }
    if (i < text.size()) out += fmt::format("... ({} bytes)", text.size());
    return out;
}

std::string echo_quoted(std::string_view text, std::size_t limit) { return fmt::format("\"{}\"", echo(text, limit)); }

}  // namespace metabosim
