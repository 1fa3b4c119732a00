#pragma once

#include <cstdio>

struct ServerConfig;

// What an operator runs against the database, not the chat server itself:
//
//   confab-server [--db DATABASE] account add NAME
//   confab-server [--db DATABASE] account reset-password NAME
//   confab-server [--db DATABASE] account rename NAME NEW
//   confab-server [--db DATABASE] account delete NAME
//   confab-server [--db DATABASE] account list
//
// (and the older `--reset-password NAME`). A password is asked for twice,
// without echo, at a terminal; otherwise it is one line of `input`. Each
// works while a server runs on the same database (SQLite or PostgreSQL),
// which takes the change within seconds (accountrecords.h); each change is
// written to the audit log, by "shell:USER". Names in `operators` cannot be
// registered over the wire: `account add` is how their accounts come to be.
namespace AccountAdmin {

// Returns the process's exit code; says what happened on `out` (one line,
// or the list) or what went wrong in one line on `err`.
int run(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err);

} // namespace AccountAdmin
