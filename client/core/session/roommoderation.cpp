#include "roommoderation.h"

#include "conversation.h"
#include "names.h"

#include <QDateTime>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using Purpose = ClientSession::SessionCore::Pending::Purpose;

namespace ClientSession {

RoomModeration::RoomModeration(SessionCore &session)
    : m_session(session)
{
}

RoomMembers::Rank RoomModeration::myRank(const Conversation *room) const
{
    if (!room || room->type() != Conversation::Type::Room)
        return RoomMembers::Rank::Member;
    return room->members()->rank(m_session.nick());
}

bool RoomModeration::mayModerate(const Conversation *room, const QString &nick) const
{
    if (!room || !room->isJoined() || nameKey(nick) == nameKey(m_session.nick()))
        return false;
    const RoomMembers::Rank mine = myRank(room);
    return mine >= RoomMembers::Rank::Op && mine > room->members()->rank(nick);
}

bool RoomModeration::mayGrant(const Conversation *room, const QString &nick) const
{
    if (!room || !room->isJoined() || nameKey(nick) == nameKey(m_session.nick()))
        return false;
    return myRank(room) == RoomMembers::Rank::Owner
           && room->members()->rank(nick) < RoomMembers::Rank::Owner;
}

bool RoomModeration::mayChangeModes(const Conversation *room) const
{
    return room && room->isJoined() && myRank(room) >= RoomMembers::Rank::Op;
}

namespace {

QString clockTime(qint64 ts)
{
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ts);
    return when.date() == QDate::currentDate() ? when.toString(u"HH:mm"_s) : when.toString(u"yyyy-MM-dd HH:mm"_s);
}

} // namespace

void RoomModeration::onRoleChanged(const RoleChanged &change)
{
    Conversation *conversation = m_session.room(change.room);
    if (!conversation)
        return;
    conversation->members()->setRole(change.nick, change.role);
    const bool mine = nameKey(change.nick) == nameKey(m_session.nick());
    if (change.role == "owner"_L1 && nameKey(change.by) == nameKey(change.nick))
        m_session.addEvent(conversation, LogEntry::Event::RoomClaimed, change.nick, {}, mine);
    else
        m_session.addEvent(conversation, LogEntry::Event::RoleChanged, change.by, change.role, mine, change.nick);
    emit modesChanged(conversation);
}

void RoomModeration::onKicked(const Kicked &kicked)
{
    Conversation *conversation = m_session.room(kicked.room);
    if (!conversation)
        return;
    if (nameKey(kicked.nick) != nameKey(m_session.nick())) {
        conversation->removeMember(kicked.nick);
        m_session.addEvent(conversation, LogEntry::Event::Kicked, kicked.by, kicked.reason, false, kicked.nick);
        return;
    }
    const QString because = kicked.reason.isEmpty() ? QString() : u": %1"_s.arg(kicked.reason);
    const QString why = u"You were removed from #%1 by %2%3"_s.arg(kicked.room, kicked.by, because);
    conversation->setJoined(false);
    conversation->setWantsRejoin(false);
    m_session.error(conversation, why);
    emit removedFromRoom(conversation, why);
}

void RoomModeration::onMuted(const Muted &muted)
{
    Conversation *conversation = m_session.room(muted.room);
    if (!conversation)
        return;
    conversation->members()->setMuted(muted.nick, true);
    const QString until = muted.until ? u" until %1"_s.arg(clockTime(*muted.until)) : QString();
    if (nameKey(muted.nick) == nameKey(m_session.nick()))
        m_session.error(conversation, u"%1 muted you in #%2%3: you cannot speak here"_s.arg(
                                    muted.by, muted.room, until.isEmpty() ? u" until an op unmutes you"_s : until));
    else
        m_session.addEvent(conversation, LogEntry::Event::Muted, muted.by, {}, false, muted.nick,
                           muted.until.value_or(0));
}

void RoomModeration::onUnmuted(const Unmuted &unmuted)
{
    if (Conversation *conversation = m_session.room(unmuted.room)) {
        conversation->members()->setMuted(unmuted.nick, false);
        m_session.addEvent(conversation, LogEntry::Event::Unmuted, unmuted.by, {},
                           nameKey(unmuted.nick) == nameKey(m_session.nick()), unmuted.nick);
    }
}

void RoomModeration::onModeChanged(const ModeChanged &change)
{
    Conversation *conversation = m_session.room(change.room);
    if (!conversation)
        return;
    const RoomModes before = conversation->modes();
    const RoomModes after{change.inviteOnly, change.hasKey, change.topicLocked};
    conversation->setModes(after);
    QStringList what;
    if (before.inviteOnly != after.inviteOnly)
        what << (after.inviteOnly ? u"+i"_s : u"-i"_s);
    if (before.hasKey != after.hasKey || after.hasKey) // a new key is a change too
        what << (after.hasKey ? u"+k"_s : u"-k"_s);
    if (before.topicLocked != after.topicLocked)
        what << (after.topicLocked ? u"+t"_s : u"-t"_s);
    m_session.addEvent(conversation, LogEntry::Event::ModesChanged, change.by, what.join(u' '));
    emit modesChanged(conversation);
}

void RoomModeration::onInvited(const Invited &invited)
{
    if (nameKey(invited.nick) == nameKey(m_session.nick()) && nameKey(invited.by) != nameKey(m_session.nick())) {
        if (Conversation *where = m_session.activeConversation())
            m_session.notice(where,
                             u"%1 invites you to #%2 — type /join %2 to go there"_s.arg(invited.by, invited.room));
        emit invitedTo(invited.room, invited.by);
        return;
    }
    Conversation *where = m_session.room(invited.room);
    if (!where)
        where = m_session.activeConversation();
    if (where)
        m_session.notice(where, u"You invited %1 to #%2"_s.arg(invited.nick, invited.room));
}

void RoomModeration::onBanList(const BanList &list, const SessionCore::Pending &pending)
{
    emit banListReceived(list.room, list.bans);
    if (pending.conversation)
        showBans(pending.conversation, u"Bans in #%1"_s.arg(list.room), list.bans);
}

void RoomModeration::onServerBanList(const ServerBanList &list, const SessionCore::Pending &pending)
{
    if (pending.conversation)
        showBans(pending.conversation, u"Server bans"_s, list.bans);
}

void RoomModeration::onAuditPage(const AuditPage &page, const SessionCore::Pending &pending)
{
    if (pending.conversation)
        showAudit(pending.conversation, page.entries);
}

void RoomModeration::showBans(Conversation *conversation, const QString &title, const QList<BanEntry> &bans)
{
    if (bans.isEmpty()) {
        m_session.notice(conversation, u"%1: none"_s.arg(title));
        return;
    }
    m_session.notice(conversation, u"%1:"_s.arg(title));
    for (const BanEntry &ban : bans) {
        QString line = u"  %1 — by %2"_s.arg(ban.mask, ban.by);
        if (!ban.reason.isEmpty())
            line += u" (%1)"_s.arg(ban.reason);
        line += ban.until ? u", until %1"_s.arg(clockTime(*ban.until)) : u", for ever"_s;
        m_session.notice(conversation, line);
    }
}

void RoomModeration::showAudit(Conversation *conversation, const QList<AuditEntry> &entries)
{
    if (entries.isEmpty()) {
        m_session.notice(conversation, u"No moderation recorded"_s);
        return;
    }
    for (const AuditEntry &entry : entries) {
        QString line = u"%1 %2 %3"_s.arg(clockTime(entry.ts), entry.by, entry.action);
        if (entry.target)
            line += u" "_s + *entry.target;
        if (entry.room)
            line += u" in #"_s + *entry.room;
        if (!entry.reason.isEmpty())
            line += u" (%1)"_s.arg(entry.reason);
        m_session.notice(conversation, line);
    }
}

// ------------------------------------------------------------ requests

QString RoomModeration::maskFor(const QString &nickOrMask)
{
    return nickOrMask.contains(u':') ? nickOrMask : u"nick:"_s + nickOrMask;
}

void RoomModeration::claim(Conversation *room)
{
    if (m_session.online(room))
        m_session.send(Claim{room->name()}, Purpose::Plain, room);
}

void RoomModeration::grant(Conversation *room, const QString &nick, RoomMembers::Rank rank)
{
    if (m_session.online(room))
        m_session.send(Grant{room->name(), nick, rank == RoomMembers::Rank::Op ? u"op"_s : u"member"_s},
                       Purpose::Plain, room);
}

namespace {

std::optional<QString> optionalText(const QString &text)
{
    return text.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(text.trimmed());
}

} // namespace

void RoomModeration::kick(Conversation *room, const QString &nick, const QString &reason)
{
    if (m_session.online(room))
        m_session.send(Kick{room->name(), nick, optionalText(reason)}, Purpose::Plain, room);
}

void RoomModeration::ban(Conversation *room, const QString &nickOrMask, std::optional<qint64> duration,
                         const QString &reason)
{
    if (m_session.online(room))
        m_session.send(Ban{room->name(), maskFor(nickOrMask), duration, optionalText(reason)}, Purpose::Plain, room);
}

void RoomModeration::unban(Conversation *room, const QString &nickOrMask)
{
    if (m_session.online(room))
        m_session.send(Unban{room->name(), maskFor(nickOrMask)}, Purpose::Plain, room);
}

void RoomModeration::requestBanList(Conversation *room, bool show)
{
    if (!room || !m_session.isWelcomed())
        return;
    // Without `show`, only banListReceived() tells (the settings dialog).
    m_session.send(GetBanList{room->name()}, Purpose::Plain, show ? room : nullptr);
}

void RoomModeration::mute(Conversation *room, const QString &nick, std::optional<qint64> duration,
                          const QString &reason)
{
    if (m_session.online(room))
        m_session.send(Mute{room->name(), nick, duration, optionalText(reason)}, Purpose::Plain, room);
}

void RoomModeration::unmute(Conversation *room, const QString &nick)
{
    if (m_session.online(room))
        m_session.send(Unmute{room->name(), nick}, Purpose::Plain, room);
}

void RoomModeration::invite(const QString &roomName, const QString &nick, Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (m_session.online(context))
        m_session.send(Invite{roomName, nick}, Purpose::Plain, context);
}

void RoomModeration::setModes(Conversation *room, std::optional<bool> inviteOnly, std::optional<QString> key,
                           std::optional<bool> topicLocked)
{
    if (m_session.online(room))
        m_session.send(SetMode{room->name(), inviteOnly, key, topicLocked}, Purpose::Plain, room);
}

void RoomModeration::requestAudit(const QString &roomName, Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (!m_session.online(context))
        return;
    GetAudit request;
    if (!roomName.isEmpty())
        request.room = roomName;
    m_session.send(request, Purpose::Plain, context);
}

void RoomModeration::serverBan(const QString &nickOrMask, std::optional<qint64> duration, const QString &reason,
                               Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (m_session.online(context))
        m_session.send(ServerBan{maskFor(nickOrMask), duration, optionalText(reason)}, Purpose::Plain, context);
}

void RoomModeration::serverUnban(const QString &nickOrMask, Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (m_session.online(context))
        m_session.send(ServerUnban{maskFor(nickOrMask)}, Purpose::Plain, context);
}

void RoomModeration::requestServerBanList(Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (m_session.online(context))
        m_session.send(GetServerBanList{}, Purpose::Plain, context);
}

} // namespace ClientSession
