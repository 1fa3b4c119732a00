#pragma once

#include "messages.h"
#include "sessioncore.h"

#include <QString>

#include <optional>

class Conversation;

namespace ClientSession {

// Read markers and unread counts (protocol section 20), and what counts as
// a mention: the rules as static functions (the same unit as the
// browser's readmarkers.js), and the session's side (telling the server,
// taking its markers).
class ReadMarkers final
{
public:
    explicit ReadMarkers(SessionCore &session)
        : m_session(session)
    {
    }

    // Tells the server how far the user has read `conversation` (if there
    // is anything new to tell).
    void markRead(Conversation *conversation);
    // Every conversation read as it stands.
    void markAllRead();
    // A marker from the server: read on another device of the account, or
    // with a page of history.
    void apply(Conversation *conversation, qint64 seq);
    void onReadMarker(const Confab::Protocol::ReadMarker &marker);

    // The `read` request that says the user has read `conversation` as far as
    // it goes, noted as sent; nullopt when there is nothing new to say.
    static std::optional<Confab::Protocol::MarkRead> readRequest(Conversation *conversation);
    // A marker from the server (another device, or with history): unread is
    // what came after it and is someone else's (none while the user is
    // looking: `seen`).
    static void markerApplied(Conversation *conversation, qint64 seq, bool seen);
    // Whether `text` names `nick` as a word of its own, in any case.
    static bool mentions(const QString &nick, const QString &text);

private:
    SessionCore &m_session;
};

} // namespace ClientSession
