#pragma once

#include "chatcore.h"

// How a user is seen while here (protocol sections 16 and 17): away, and
// typing notices. Both go to whoever shares the conversation, never back
// to the user except as the answer.
class Presence
{
public:
    explicit Presence(ChatCore &core) : m_core(core) {}

    void onAway(Session &session, const Confab::Protocol::SetAway &request, const QJsonValue &id);
    void onTyping(Session &session, const Confab::Protocol::Typing &typing, const QJsonValue &id);

private:
    // `target`: the user of a private conversation, once found.
    void typing(Session &session, const Confab::Protocol::Typing &typing, const ChatCore::Target &target,
                const QJsonValue &id);

    ChatCore &m_core;
};
