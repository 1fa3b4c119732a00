#pragma once

#include "messages.h"

#include <QString>

#include <optional>

class Conversation;

// Read markers and unread counts (protocol section 20), and what counts as
// a mention. The same unit as the browser's readmarkers.js; the session
// sends the requests.
namespace ReadMarkers {

// The `read` request that says the user has read `conversation` as far as
// it goes, noted as sent; nullopt when there is nothing new to say.
std::optional<Confab::Protocol::MarkRead> readRequest(Conversation *conversation);
// A marker from the server (another device, or with history): unread is
// what came after it and is someone else's (none while the user is
// looking: `seen`).
void markerApplied(Conversation *conversation, qint64 seq, bool seen);
// Whether `text` names `nick` as a word of its own, in any case.
bool mentions(const QString &nick, const QString &text);

} // namespace ReadMarkers
