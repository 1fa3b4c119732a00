// How a user is seen: away, typing notices, nick changes (protocol sections 6,
// 16 and 17).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"

#include "logging.h"
#include "names.h"

#include <QSet>

using namespace Confab::Protocol;
using namespace ChatInternal;

QList<Session *> ChatCore::roomPeers(const Session &session)
{
    QSet<Session *> peers;
    for (const Room *room : std::as_const(session.rooms)) {
        for (Session *member : room->members) {
            if (member != &session)
                peers.insert(member);
        }
    }
    return peers.values();
}

void ChatService::onAway(Session &session, const SetAway &request, const QJsonValue &id)
{
    const QString message = request.message.value_or(QString()).trimmed();
    session.away = message.isEmpty() ? std::nullopt : std::optional<QString>(message);
    const AwayChanged presence{session.nick, session.away};
    // Everyone who shares a room hears it once; the user hears it as the answer.
    const QList<Session *> audience = roomPeers(session);
    if (!audience.isEmpty())
        deliver(plainDelivery(audience, encode(presence)));
    shareWithCluster(roomKeys(session), encode(presence));
    announceUser(session);
    // Answered once every server's member lists show it.
    whenClusterHasIt(session, [this, presence, id](Session &later) { reply(later, presence, id); });
}

void ChatService::onTyping(Session &session, const Typing &typing, const QJsonValue &id)
{
    if (typing.room.has_value() == typing.to.has_value()) {
        sendError(session, ErrorCode::BadRequest, QStringLiteral("typing needs either room or to"), id);
        return;
    }
    if (typing.to) {
        findUser(session, *typing.to, QString(), [this, typing, id](Session &later, const Target &target) {
            this->typing(later, typing, target, id);
        });
        return;
    }
    this->typing(session, typing, Target{}, id);
}

void ChatService::typing(Session &session, const Typing &typing, const Target &target, const QJsonValue &id)
{
    // Passed on at most once every few seconds per conversation (a "done"
    // only after a notice that was passed on): typing costs the others
    // little, and never counts against what the user may say.
    constexpr qint64 TypingIntervalMs = 3000;
    QList<Session *> audience;
    QString conversationKey;
    Typing notice{std::nullopt, std::nullopt, session.nick,
                  typing.done.value_or(false) ? std::optional<bool>(true) : std::nullopt};
    if (typing.room) {
        Room *room = joinedRoom(session, *typing.room);
        if (!room) {
            sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(*typing.room), id);
            return;
        }
        if (muteFor(session, room))
            return; // the muted say nothing, not even that they are typing
        notice.room = room->name;
        conversationKey = u'#' + room->key;
        for (Session *member : std::as_const(room->members)) {
            if (member != &session)
                audience.append(member);
        }
    } else {
        if (!target.found()) {
            sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not online").arg(*typing.to), id);
            return;
        }
        notice.to = target.nick();
        conversationKey = nameKey(target.nick());
        if (target.local && target.local != &session)
            audience.append(target.local);
    }
    const qint64 now = nowMs();
    const auto last = session.typingPassedOn.constFind(conversationKey);
    const bool recentlyPassedOn = last != session.typingPassedOn.constEnd() && now - *last < TypingIntervalMs;
    if (notice.done) {
        if (last == session.typingPassedOn.constEnd())
            return; // nobody was told they were typing
        session.typingPassedOn.remove(conversationKey);
    } else {
        if (recentlyPassedOn)
            return;
        session.typingPassedOn.insert(conversationKey, now);
    }
    if (!audience.isEmpty())
        deliver(plainDelivery(audience, encode(notice)));
    if (notice.room)
        shareWithCluster({nameKey(*notice.room)}, encode(notice));
    else if (target.remote)
        publishNote({{QStringLiteral("to"), conversationKey}}, encode(notice), target.remote->server);
}

void ChatService::onNick(Session &session, const ChangeNick &change, const QJsonValue &id)
{
    const QString key = nameKey(change.nick);
    if (key != session.nickKey && (m_users.contains(key) || m_claiming.contains(key))) {
        sendError(session, ErrorCode::NickTaken, QStringLiteral("%1 is taken").arg(change.nick), id);
        return;
    }
    if (key != session.nickKey && isReservedFor(session, key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is a registered account; log in to use it").arg(change.nick), id);
        return;
    }
    if (key != session.nickKey) {
        claimNick(session, change.nick, id, [this, change, id](Session &later) { changeNick(later, change, id); });
        return;
    }
    changeNick(session, change, id);
}

void ChatService::changeNick(Session &session, const ChangeNick &change, const QJsonValue &id)
{
    const QString key = nameKey(change.nick);
    const NickChanged event{session.nick, change.nick};
    releaseNick(session.nickKey);
    session.nick = change.nick;
    session.nickKey = key;
    session.nickSinceMs = tenureStart(key);
    m_users.insert(key, &session);
    announceUser(session);
    for (Room *room : std::as_const(session.rooms)) {
        announceMembership(event.oldNick, room, false);
        announceMembership(session, room, true);
    }
    qCInfo(lcChat).noquote() << session.connection->describe() << "is now" << change.nick;

    // Everyone who shares a room hears it once, however many rooms they share.
    const QList<Session *> audience = roomPeers(session);
    if (event.oldNick != event.newNick && !audience.isEmpty())
        deliver(plainDelivery(audience, encode(event)));
    if (event.oldNick != event.newNick)
        shareWithCluster(roomKeys(session), encode(event));
    reply(session, event, id);
}
