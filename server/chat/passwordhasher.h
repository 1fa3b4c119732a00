#pragma once

#include <QByteArray>
#include <QString>

// Passwords as libcrypt's yescrypt stores them ("$y$..."): a slow, salted,
// memory-hard hash from a maintained library (libxcrypt, on every Debian
// machine), never anything of our own. One hash takes tens of milliseconds
// on purpose, so callers run these off the event loop (see ChatService).
// Both functions are thread-safe.
namespace PasswordHasher {

// A new salted hash of `password`; empty if libcrypt failed.
QByteArray hash(const QString &password);

// Whether `password` is the one `storedHash` was made from. A malformed
// hash matches nothing.
bool verify(const QString &password, const QByteArray &storedHash);

// A hash that matches no password, to verify against when an account does
// not exist, so that a wrong account takes as long as a wrong password.
const QByteArray &decoy();

} // namespace PasswordHasher
