#pragma once

#include "chatcore.h"

class Moderation;

// Rooms as users ask about them (protocol sections 6 to 8): joining (with
// the room's bans, invitations and key asked of Moderation), leaving,
// saying, the topic, the room list, who is here and history pages. The
// rooms themselves, and their members, are the core's: every feature reads
// them.
class Rooms final
{
public:
    Rooms(ChatCore &core, Moderation &moderation) : m_core(core), m_moderation(moderation) {}

    void onJoin(Session &session, const Confab::Protocol::Join &join, const QJsonValue &id);
    void onLeave(Session &session, const Confab::Protocol::Leave &leave, const QJsonValue &id);
    void onSay(Session &session, const Confab::Protocol::Say &say, const QJsonValue &id);
    void onTopic(Session &session, const Confab::Protocol::SetTopic &request, const QJsonValue &id);
    void onList(Session &session, const QJsonValue &id);
    void onWho(Session &session, const Confab::Protocol::Who &who, const QJsonValue &id);
    void onHistory(Session &session, const Confab::Protocol::GetHistory &request, const QJsonValue &id);

private:
    // `joined`, with the members on other servers (`remote`).
    void replyJoined(Session &session, Room *room, const QJsonValue &id,
                     const QList<ChatCore::RemoteMember> &remote);
    // The room list, with the rooms open elsewhere and their topics.
    void replyList(Session &session, const QList<ChatCore::RemoteRoom> &remote,
                   const QHash<QString, QString> &topics, const QJsonValue &id);
    // Whether the session may page through the room's history; if not, says why.
    bool mayReadHistory(Session &session, Room *room, const QJsonValue &id);

    ChatCore &m_core;
    Moderation &m_moderation;
};
