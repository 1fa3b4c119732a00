#pragma once

#include "errorcode.h"

#include <QString>

// Turns a protocol error into what the user reads: the server's explanation
// as a sentence, and, where the user can do something about it, what. The
// browser client's refusal.js says the same words.
namespace Refusal {

QString sentence(Confab::Protocol::ErrorCode code, const QString &message);
// `message` as a sentence (capital where the server's wording starts with a
// word, a full stop), then `advice` unless it says the same.
QString withAdvice(const QString &message, const QString &advice);
// The advice alone (empty when there is nothing to add).
QString advice(Confab::Protocol::ErrorCode code);

} // namespace Refusal
