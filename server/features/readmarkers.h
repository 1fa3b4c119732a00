#pragma once

#include "chatcore.h"

class PrivateChat;

// Read markers (protocol section 20): how far a user has read each room and
// private conversation. A guest's live as long as its session; an
// account's are stored, shared with its other sessions (on any server) and
// read back at login (PrivateChat::deliverWaiting()).
class ReadMarkers
{
public:
    ReadMarkers(ChatCore &core, PrivateChat &privateChat) : m_core(core), m_privateChat(privateChat) {}

    void onRead(Session &session, const Confab::Protocol::MarkRead &request, const QJsonValue &id);

private:
    // `peer`: the identity of the user of a private conversation.
    void markRead(Session &session, const Confab::Protocol::MarkRead &request, const QString &peer,
                  const QJsonValue &id);
    // Its second step, once the conversation's last seq is known.
    void store(Session &session, const Confab::Protocol::MarkRead &request, const QString &conversation,
               qint64 last, const QJsonValue &id);

    ChatCore &m_core;
    PrivateChat &m_privateChat;
};
