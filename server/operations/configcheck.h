#pragma once

#include <cstdio>

struct ServerConfig;

// confab-server [options] --check-config: checks what the settings need
// before anything listens — the TLS certificate and key load, the database
// (SQLite) can be opened or made where it is named, the port file can be
// written — and exits: 0 with one line saying what would run, or 1 with one
// line per problem on `err`. The settings themselves (the command line and
// the --config file) were parsed before; a bad one never gets here.
namespace ConfigCheck {

int run(const ServerConfig &config, std::FILE *out, std::FILE *err);

} // namespace ConfigCheck
