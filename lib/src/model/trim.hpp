// Text without the blanks around it, as both the unit parser and the config reader need it.
#pragma once

#include <string_view>

namespace metabosim {

inline std::string_view trim(std::string_view s) {
    constexpr std::string_view blanks = " \t\r\n";
    const auto first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

}  // namespace metabosim
