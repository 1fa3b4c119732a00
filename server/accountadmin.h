#pragma once

#include <cstdio>

struct ServerConfig;

// What an operator runs against the database, not the chat server itself.
namespace AccountAdmin {

// confab-server --db FILE --reset-password ACCOUNT: reads the new password
// as one line from `input` and stores its hash. Works whether or not a
// server is running on the file (SQLite in WAL mode takes turns). Returns
// the process's exit code; says what happened in one line on `out` or `err`.
int resetPassword(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err);

// confab-server --db DATABASE account add NAME: makes the account NAME (the
// database is made if there is none yet). The password is asked for twice,
// without echo, when `input` is a terminal; otherwise it is one line of
// `input`. This is how an operator's account comes to be: names in
// `operators` cannot be registered over the wire.
int addAccount(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err);

} // namespace AccountAdmin
