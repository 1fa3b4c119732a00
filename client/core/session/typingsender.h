#pragma once

#include "messages.h"

#include <QHash>

#include <optional>

class Conversation;

// The user's own typing (protocol section 16): a notice when they type, at
// most one every few seconds per conversation, and "done" once after one
// when the line is cleared. The same unit as the browser's TypingSender
// (presence.js); the session sends what it decides.
class TypingSender final
{
public:
    // The server passes on one notice per 3 s; renewing sooner is wasted.
    static constexpr qint64 RenewMs = 3000;

    // The `typing` notice to send now (noted as sent), or nullopt for none.
    std::optional<Confab::Protocol::Typing> notice(const Conversation *conversation, bool typing, qint64 nowMs);
    // A message sent there ends "typing" on the other side by itself; a
    // conversation closed is forgotten the same way.
    void sent(const Conversation *conversation) { m_sentAt.remove(conversation); }

private:
    QHash<const Conversation *, qint64> m_sentAt; // when "typing" was last sent
};
