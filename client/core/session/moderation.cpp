// Moderation requests and what the user may do (protocol section 13).
// Part of ChatSession (chatsession.h).

#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

QString ChatSession::maskFor(const QString &nickOrMask)
{
    return nickOrMask.contains(u':') ? nickOrMask : u"nick:"_s + nickOrMask;
}

RoomMembers::Rank ChatSession::myRank(const Conversation *room) const
{
    return m_moderation.myRank(room);
}

bool ChatSession::mayModerate(const Conversation *room, const QString &nick) const
{
    return m_moderation.mayModerate(room, nick);
}

bool ChatSession::mayGrant(const Conversation *room, const QString &nick) const
{
    return m_moderation.mayGrant(room, nick);
}

bool ChatSession::mayChangeModes(const Conversation *room) const
{
    return m_moderation.mayChangeModes(room);
}

void ChatSession::claim(Conversation *room)
{
    if (online(room))
        send(Claim{room->name()}, Pending::Purpose::Plain, room);
}

void ChatSession::grant(Conversation *room, const QString &nick, RoomMembers::Rank rank)
{
    if (online(room))
        send(Grant{room->name(), nick, rank == RoomMembers::Rank::Op ? u"op"_s : u"member"_s}, Pending::Purpose::Plain,
             room);
}

namespace {

std::optional<QString> optionalText(const QString &text)
{
    return text.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(text.trimmed());
}

} // namespace

void ChatSession::kick(Conversation *room, const QString &nick, const QString &reason)
{
    if (online(room))
        send(Kick{room->name(), nick, optionalText(reason)}, Pending::Purpose::Plain, room);
}

void ChatSession::ban(Conversation *room, const QString &nickOrMask, std::optional<qint64> duration,
                      const QString &reason)
{
    if (online(room))
        send(Ban{room->name(), maskFor(nickOrMask), duration, optionalText(reason)}, Pending::Purpose::Plain, room);
}

void ChatSession::unban(Conversation *room, const QString &nickOrMask)
{
    if (online(room))
        send(Unban{room->name(), maskFor(nickOrMask)}, Pending::Purpose::Plain, room);
}

void ChatSession::requestBanList(Conversation *room, bool show)
{
    if (!room || !m_supervisor.isWelcomed())
        return;
    // Without `show`, only banListReceived() tells (the settings dialog).
    send(GetBanList{room->name()}, Pending::Purpose::Plain, show ? room : nullptr);
}

void ChatSession::mute(Conversation *room, const QString &nick, std::optional<qint64> duration, const QString &reason)
{
    if (online(room))
        send(Mute{room->name(), nick, duration, optionalText(reason)}, Pending::Purpose::Plain, room);
}

void ChatSession::unmute(Conversation *room, const QString &nick)
{
    if (online(room))
        send(Unmute{room->name(), nick}, Pending::Purpose::Plain, room);
}

void ChatSession::invite(const QString &roomName, const QString &nick, Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(Invite{roomName, nick}, Pending::Purpose::Plain, context);
}

void ChatSession::setModes(Conversation *room, std::optional<bool> inviteOnly, std::optional<QString> key,
                           std::optional<bool> topicLocked)
{
    if (online(room))
        send(SetMode{room->name(), inviteOnly, key, topicLocked}, Pending::Purpose::Plain, room);
}

void ChatSession::requestAudit(const QString &roomName, Conversation *context)
{
    if (!context)
        context = m_active;
    if (!online(context))
        return;
    GetAudit request;
    if (!roomName.isEmpty())
        request.room = roomName;
    send(request, Pending::Purpose::Plain, context);
}

void ChatSession::serverBan(const QString &nickOrMask, std::optional<qint64> duration, const QString &reason,
                            Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(ServerBan{maskFor(nickOrMask), duration, optionalText(reason)}, Pending::Purpose::Plain, context);
}

void ChatSession::serverUnban(const QString &nickOrMask, Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(ServerUnban{maskFor(nickOrMask)}, Pending::Purpose::Plain, context);
}

void ChatSession::requestServerBanList(Conversation *context)
{
    if (!context)
        context = m_active;
    if (online(context))
        send(GetServerBanList{}, Pending::Purpose::Plain, context);
}
