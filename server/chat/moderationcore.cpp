// What the chat core knows of moderation (the feature itself is
// features/moderation.cpp): ranks, mutes, the audit log, storing a change,
// reading a room's moderation, refusing the banned.

#include "chatservice.h"
#include "chatinternal.h"

#include "logging.h"
#include "metrics.h"
#include "moderationstore.h"

#include <QDateTime>

using namespace Confab::Protocol;
using namespace ChatInternal;

bool ChatService::isServerOperator(const Session &session) const
{
    return session.isLoggedIn() && m_settings.operators.contains(session.accountKey);
}

Rank ChatService::rankIn(const Session &session, const Room *room) const
{
    return rankOf(session.accountKey, room);
}

Rank ChatService::rankOf(const QString &accountKey, const Room *room) const
{
    if (accountKey.isEmpty())
        return Rank::Member;
    if (m_settings.operators.contains(accountKey))
        return Rank::ServerOperator;
    return room ? room->roles.value(accountKey, Rank::Member) : Rank::Member;
}

void ChatService::storeModeration(Session &session, const QString &roomKey, const QString &what,
                                  std::function<bool(QString *error)> write, const QJsonValue &id,
                                  std::function<void(Session &, Room *)> then)
{
    offloadWrite(
            session, std::move(write),
            [this, roomKey, what, id, then](Session &later, const std::optional<QString> &error) {
                if (error) {
                    qCCritical(lcStore).noquote() << "cannot store" << what << "-" << *error;
                    sendError(later, ErrorCode::StorageFailed,
                              QStringLiteral("the server cannot store %1 right now").arg(what), id);
                    return;
                }
                Room *room = roomKey.isEmpty() ? nullptr : findRoom(roomKey);
                if (!roomKey.isEmpty() && !room) {
                    // Stored; the room closed meanwhile reads it when it opens.
                    sendError(later, ErrorCode::NotInRoom, QStringLiteral("you are no longer in that room"), id);
                    return;
                }
                then(later, room);
            });
}

void ChatService::audit(Session &actor, Room *room, const QString &action, const QString &target,
                        const QString &reason)
{
    const ModerationStore::AuditRecord record{wallClockMs(),
                                              actor.isLoggedIn() ? actor.account : actor.nick,
                                              action,
                                              room ? std::optional<QString>(room->name) : std::nullopt,
                                              target.isEmpty() ? std::nullopt : std::optional<QString>(target),
                                              reason};
    m_store->offload(
            this,
            [this, roomKey = room ? room->key : QString(), record] {
                QString error;
                if (!m_moderation->appendAudit(roomKey, record, &error))
                    qCCritical(lcStore).noquote() << "cannot write the audit log:" << error;
            },
            [] {});
    qCInfo(lcChat).noquote() << actor.connection->describe() << action << (room ? room->name : QString()) << target
                             << reason;
}

const ModerationStore::MuteRecord *ChatService::muteFor(const Session &session, Room *room)
{
    const qint64 now = wallClockMs();
    room->mutes.removeIf([now](const ModerationStore::MuteRecord &mute) { return isOver(mute, now); });
    const QString byAccount = session.isLoggedIn() ? QStringLiteral("account:") + session.accountKey : QString();
    const QString byNick = QStringLiteral("nick:") + session.nickKey;
    for (const ModerationStore::MuteRecord &mute : std::as_const(room->mutes)) {
        if (mute.target == byNick || (!byAccount.isEmpty() && mute.target == byAccount))
            return &mute;
    }
    return nullptr;
}

void ChatService::refuseBanned(Session &session, const Room::Ban &ban, const QJsonValue &id)
{
    QString message = ban.record.untilMs
                              ? QStringLiteral("you are banned from this server until %1")
                                        .arg(QDateTime::fromMSecsSinceEpoch(*ban.record.untilMs, Qt::UTC)
                                                     .toString(Qt::ISODate))
                              : QStringLiteral("you are banned from this server");
    if (!ban.record.reason.isEmpty())
        message += QStringLiteral(": ") + ban.record.reason;
    serverMetrics().refused(ServerMetrics::Refusal::Banned);
    lastWord([&] { sendError(session, ErrorCode::Banned, message, id); });
    hangUp(session.connection, QStringLiteral("banned"));
}

void ChatService::loadModeration(Room &room) const
{
    room.roles = m_moderation->loadRoles(room.key);
    room.mutes = m_moderation->loadMutes(room.key);
    room.modes = m_moderation->loadModes(room.key);
    room.bans = loadBans(room.key);
}

QList<Room::Ban> ChatService::loadBans(const QString &roomKey) const
{
    QList<Room::Ban> bans;
    for (const ModerationStore::BanRecord &record : m_moderation->loadBans(roomKey)) {
        QString error;
        if (const auto mask = Mask::parse(record.mask, &error))
            bans.append(Room::Ban{*mask, record});
    }
    return bans;
}
