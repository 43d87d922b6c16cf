// Expecting detnum::Error: the code, and a part of the message (which names the argument and
// its value).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "detnum/error.hpp"

namespace detnum::test {

template <class F>
void expect_error(F&& f, ErrorCode code, const std::string& message_part) {
  try {
    f();
    ADD_FAILURE() << "no detnum::Error thrown; expected " << to_string(code) << " with \"" << message_part << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

}  // namespace detnum::test
