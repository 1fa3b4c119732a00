#pragma once

#include <cstdio>
#include <cstdlib>

// A property the fuzzed code must keep: a violation stops the fuzzer with
// the input that caused it.
inline void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "property violated: %s\n", what);
        std::abort();
    }
}
