#pragma once

#include "errorcode.h"

#include <QString>

// Turns a protocol error into what the user reads: the server's explanation
// as a sentence, and, where the user can do something about it, what. The
// browser client's refusal.js says the same words.
namespace Refusal {

QString sentence(Confab::Protocol::ErrorCode code, const QString &message);
// The advice alone (empty when there is nothing to add).
QString advice(Confab::Protocol::ErrorCode code);

} // namespace Refusal
