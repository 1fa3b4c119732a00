// Room roles, bans, mutes, modes, invitations, the audit log and server
// bans (protocol section 13).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"

#include "clusterbus.h"

#include "logging.h"
#include "moderationstore.h"
#include "names.h"

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

void ChatService::changeRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                             const QJsonValue &id, std::function<void(Session &, Room *)> then)
{
    storeModeration(
            actor, room->key, QStringLiteral("the role"),
            [this, roomKey = room->key, accountKey, rank](QString *error) {
                return m_moderation->setRole(roomKey, accountKey, rank, error);
            },
            id,
            [this, accountKey, nick, rank, id, then](Session &later, Room *room) {
                applyRole(later, room, accountKey, nick, rank, id);
                then(later, room);
            });
}

void ChatService::applyRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                            const QJsonValue &id)
{
    if (rank == Rank::Member)
        room->roles.remove(accountKey);
    else
        room->roles.insert(accountKey, rank);
    const QString role = rank == Rank::Owner ? QStringLiteral("owner")
                         : rank == Rank::Op  ? QStringLiteral("op")
                                             : QStringLiteral("member");
    tellRoom(actor, room, RoleChanged{room->name, nick, role, actor.nick}, id);
}

void ChatService::onClaim(Session &session, const Claim &request, const QJsonValue &id)
{
    Room *room = joinedRoom(session, request.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(request.room), id);
        return;
    }
    const auto alreadyOwned = [this, id, name = room->name](Session &later) {
        sendError(later, ErrorCode::AlreadyOwned, QStringLiteral("%1 has an owner already").arg(name), id);
    };
    for (auto it = room->roles.cbegin(); it != room->roles.cend(); ++it) {
        if (it.value() == Rank::Owner) {
            alreadyOwned(session);
            return;
        }
    }
    // The database decides (another server may be taking it right now).
    using Outcome = std::pair<ModerationStore::ClaimOutcome, QString>;
    offloadToStore<Outcome>(
            session,
            [this, roomKey = room->key, account = session.accountKey] {
                QString error;
                const ModerationStore::ClaimOutcome outcome = m_moderation->claimRoom(roomKey, account, &error);
                return Outcome{outcome, error};
            },
            [this, roomKey = room->key, alreadyOwned, id](Session &later, const Outcome &outcome) {
                Room *room = findRoom(roomKey);
                switch (outcome.first) {
                case ModerationStore::ClaimOutcome::AlreadyOwned:
                    alreadyOwned(later);
                    return;
                case ModerationStore::ClaimOutcome::Failed:
                    qCCritical(lcStore).noquote() << "cannot store a claim -" << outcome.second;
                    sendError(later, ErrorCode::StorageFailed,
                              QStringLiteral("the server cannot store the role right now"), id);
                    return;
                case ModerationStore::ClaimOutcome::Claimed:
                    break;
                }
                if (!room) {
                    sendError(later, ErrorCode::NotInRoom, QStringLiteral("you are no longer in that room"), id);
                    return;
                }
                applyRole(later, room, later.accountKey, later.nick, Rank::Owner, id);
                audit(later, room, QStringLiteral("claim"), later.nick, QString());
            });
}

void ChatService::onGrant(Session &session, const Grant &request, const QJsonValue &id)
{
    if (!joinedRoomOrError(session, request.room, id))
        return;
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        grant(later, request, target, id);
    });
}

void ChatService::grant(Session &session, const Grant &request, const Target &target, const QJsonValue &id)
{
    Room *room = joinedRoomOrError(session, request.room, id);
    if (!room || !foundOrError(session, target, request.nick, id))
        return;
    if (target.accountKey().isEmpty()) {
        sendError(session, ErrorCode::NotLoggedIn,
                  QStringLiteral("%1 is not logged in: roles belong to accounts").arg(target.nick()), id);
        return;
    }
    if (!Permissions::permits(Action::Grant, rankIn(session, room), rankOf(target.accountKey(), room))) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("only the owner of %1 gives and takes roles, and not to someone of equal rank")
                          .arg(room->name),
                  id);
        return;
    }
    const Rank rank = request.role == QLatin1String("op") ? Rank::Op : Rank::Member;
    changeRole(session, room, target.accountKey(), target.nick(), rank, id,
               [this, nick = target.nick(), role = request.role](Session &later, Room *changed) {
                   audit(later, changed, QStringLiteral("grant"), nick, role);
               });
}

void ChatService::onKick(Session &session, const Kick &request, const QJsonValue &id)
{
    const Room *room = joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    findUser(session, request.nick, room->key, [this, request, id](Session &later, const Target &target) {
        kick(later, request, target, id);
    });
}

void ChatService::kick(Session &session, const Kick &request, const Target &target, const QJsonValue &id)
{
    Room *room = joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    if (!target.found() || !target.isIn(room)) {
        sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not in %2").arg(request.nick, room->name),
                  id);
        return;
    }
    if (!Permissions::permits(Action::Kick, rankIn(session, room), rankOf(target.accountKey(), room))) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("you may not kick %1 from %2").arg(target.nick(), room->name), id);
        return;
    }
    const QString reason = request.reason.value_or(QString());
    const Kicked event{room->name, target.nick(), session.nick, reason};
    Delivery delivery = plainDelivery(room->members, encode(event));
    delivery.requester = &session;
    delivery.requesterFrame = encode(event, id);
    // The server the user is on takes them out of the room.
    delivery.clusterRooms = {room->key};
    delivery.clusterNote = {{QStringLiteral("kick"), nameKey(target.nick())}};
    deliver(std::move(delivery));
    audit(session, room, QStringLiteral("kick"), target.nick(), reason);
    if (target.local)
        removeFromRoom(*target.local, room, reason, false);
    else
        forgetRemoteMember(room, target);
}

void ChatService::onAudit(Session &session, const GetAudit &request, const QJsonValue &id)
{
    const std::optional<QString> roomKey = request.room ? std::optional<QString>(nameKey(*request.room)) : std::nullopt;
    if (!roomKey && !isServerOperator(session)) {
        sendError(session, ErrorCode::NotPermitted, QStringLiteral("the server's audit log is for its operators"),
                  id);
        return;
    }
    const Room *open = roomKey ? findRoom(*roomKey) : nullptr;
    if (open && !mayReadAudit(session, open, *request.room, id))
        return;
    // For a room nobody here is in, its roles are read with the page.
    const bool closed = roomKey && !open;
    using Read = std::pair<Room, QList<ModerationStore::AuditRecord>>;
    offloadToStore<Read>(
            session,
            [this, roomKey, closed, before = request.before, limit = request.limit.value_or(Defaults::HistoryPage)] {
                Room room;
                if (closed)
                    room.roles = m_moderation->loadRoles(*roomKey);
                return Read{room, m_moderation->audit(roomKey, before, limit)};
            },
            [this, closed, name = request.room, id](Session &later, const Read &read) {
                if (closed && !mayReadAudit(later, &read.first, *name, id))
                    return;
                AuditPage page;
                for (const ModerationStore::AuditRecord &record : read.second)
                    page.entries.append(AuditEntry{record.ts, record.actor, record.action, record.room, record.target,
                                                   record.reason});
                reply(later, page, id);
            });
}

bool ChatService::mayReadAudit(Session &session, const Room *room, const QString &name, const QJsonValue &id)
{
    if (Permissions::permits(Action::ReadAudit, rankIn(session, room)))
        return true;
    sendError(session, ErrorCode::NotPermitted, QStringLiteral("the audit log of %1 is for its ops").arg(name), id);
    return false;
}

Room *ChatService::moderatedRoom(Session &session, const QString &name, Action action, const QJsonValue &id)
{
    Room *room = joinedRoom(session, name);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(name), id);
        return nullptr;
    }
    if (!Permissions::permits(action, rankIn(session, room))) {
        sendError(session, ErrorCode::NotPermitted, QStringLiteral("that is for the ops of %1").arg(room->name), id);
        return nullptr;
    }
    return room;
}

const Room::Ban *ChatService::banFor(const Session &session, Room *room)
{
    // The owner, and server operators, are never kept out of their room.
    if (rankIn(session, room) >= Rank::Owner)
        return nullptr;
    dropExpired(room->bans);
    const Mask::Subject subject{session.accountKey, session.nick, session.connection->peerAddress()};
    for (const Room::Ban &ban : std::as_const(room->bans)) {
        if (ban.mask.matches(subject))
            return &ban;
    }
    return nullptr;
}

QString ChatService::bannedMessage(const Room *room, const Room::Ban &ban) const
{
    QString message = ban.record.untilMs
                              ? QStringLiteral("you are banned from %1 until %2")
                                        .arg(room->name,
                                             QDateTime::fromMSecsSinceEpoch(*ban.record.untilMs, Qt::UTC)
                                                     .toString(Qt::ISODate))
                              : QStringLiteral("you are banned from %1").arg(room->name);
    if (!ban.record.reason.isEmpty())
        message += QStringLiteral(": ") + ban.record.reason;
    return message;
}

BanList ChatService::banList(Room *room)
{
    dropExpired(room->bans);
    return BanList{room->name, banEntries(room->bans)};
}

void ChatService::onBan(Session &session, const Ban &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Ban, id);
    if (!room)
        return;
    const std::optional<Mask> mask = maskOrError(session, request.mask, id);
    if (!mask)
        return;
    const QString reason = request.reason.value_or(QString());
    const ModerationStore::BanRecord record{
            mask->text(), session.isLoggedIn() ? session.account : session.nick, reason,
            untilAfter(request.duration)};
    storeModeration(
            session, room->key, QStringLiteral("the ban"),
            [this, roomKey = room->key, maskKey = mask->key(), record](QString *error) {
                return m_moderation->putBan(roomKey, maskKey, record, error);
            },
            id,
            [this, mask = *mask, record, reason, id](Session &later, Room *room) {
                room->bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); });
                room->bans.append(Room::Ban{mask, record});
                audit(later, room, QStringLiteral("ban"), mask.text(), reason);

                const Rank setter = rankIn(later, room);
                // Every server takes its own members out, once it has the ban.
                publishNote({{QStringLiteral("rooms"), QJsonArray{room->key}},
                             {QStringLiteral("reload"), true},
                             {QStringLiteral("ban"), mask.text()},
                             {QStringLiteral("rank"), int(setter)},
                             {QStringLiteral("by"), later.nick},
                             {QStringLiteral("reason"), reason}},
                            QByteArray());
                const QString roomKey = room->key;
                enforceRoomBan(room, mask, setter, later.nick, reason);
                // The last member may have left with the ban; the setter never does.
                if (Room *still = findRoom(roomKey))
                    reply(later, banList(still), id);
            });
}

void ChatService::enforceRoomBan(Room *room, const Mask &mask, Rank setter, const QString &by, const QString &reason)
{
    const QList<Session *> members = room->members;
    for (Session *member : members) {
        const Mask::Subject subject{member->accountKey, member->nick, member->connection->peerAddress()};
        if (!mask.matches(subject) || rankIn(*member, room) >= setter)
            continue;
        Delivery delivery = plainDelivery(
                room->members,
                encode(Kicked{room->name, member->nick, by, reason.isEmpty() ? QStringLiteral("banned") : reason}));
        delivery.clusterRooms = {room->key};
        deliver(std::move(delivery));
        removeFromRoom(*member, room, reason, false);
    }
}

void ChatService::onUnban(Session &session, const Unban &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Ban, id);
    if (!room)
        return;
    const std::optional<Mask> mask = maskOrError(session, request.mask, id);
    if (!mask)
        return;
    storeModeration(
            session, room->key, QStringLiteral("the unban"),
            [this, roomKey = room->key, maskKey = mask->key()](QString *error) {
                return m_moderation->removeBan(roomKey, maskKey, error);
            },
            id,
            [this, mask = *mask, id](Session &later, Room *room) {
                if (room->bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); }) > 0)
                    audit(later, room, QStringLiteral("unban"), mask.text(), QString());
                reply(later, banList(room), id);
                publishNote({{QStringLiteral("rooms"), QJsonArray{room->key}}, {QStringLiteral("reload"), true}},
                            QByteArray());
            });
}

void ChatService::onBanList(Session &session, const GetBanList &request, const QJsonValue &id)
{
    if (Room *room = moderatedRoom(session, request.room, Action::Ban, id))
        reply(session, banList(room), id);
}

QString ChatService::userKey(const Session &session)
{
    return session.isLoggedIn() ? QStringLiteral("account:") + session.accountKey
                                : QStringLiteral("nick:") + session.nickKey;
}

QString ChatService::userKey(const Target &target)
{
    return target.local ? userKey(*target.local)
           : target.accountKey().isEmpty() ? QStringLiteral("nick:") + nameKey(target.nick())
                                           : QStringLiteral("account:") + target.accountKey();
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

template <typename T>
void ChatService::tellRoom(Session &requester, Room *room, const T &event, const QJsonValue &id)
{
    QList<Session *> audience = room->members;
    if (!audience.contains(&requester))
        audience.append(&requester);
    Delivery delivery = plainDelivery(audience, encode(event));
    delivery.requester = &requester;
    delivery.requesterFrame = encode(event, id);
    // Each of these is about a change of the room's moderation, which the
    // other servers read again from the store before passing it on.
    delivery.clusterRooms = {room->key};
    delivery.clusterNote = {{QStringLiteral("reload"), true}};
    deliver(std::move(delivery));
}

void ChatService::onMute(Session &session, const Mute &request, const QJsonValue &id)
{
    if (!moderatedRoom(session, request.room, Action::Mute, id))
        return;
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        mute(later, request, target, id);
    });
}

void ChatService::mute(Session &session, const Mute &request, const Target &target, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Mute, id);
    if (!room)
        return;
    if (!foundOrError(session, target, request.nick, id))
        return;
    if (!Permissions::permits(Action::Mute, rankIn(session, room), rankOf(target.accountKey(), room))) {
        sendError(session, ErrorCode::NotPermitted, QStringLiteral("you may not mute %1").arg(target.nick()), id);
        return;
    }
    const ModerationStore::MuteRecord mute{
            userKey(target), session.isLoggedIn() ? session.account : session.nick, request.reason.value_or(QString()),
            untilAfter(request.duration)};
    storeModeration(
            session, room->key, QStringLiteral("the mute"),
            [this, roomKey = room->key, mute](QString *error) { return m_moderation->putMute(roomKey, mute, error); },
            id,
            [this, mute, nick = target.nick(), id](Session &later, Room *room) {
                room->mutes.removeIf([&](const ModerationStore::MuteRecord &old) { return old.target == mute.target; });
                room->mutes.append(mute);
                audit(later, room, QStringLiteral("mute"), nick, mute.reason);
                tellRoom(later, room, Muted{room->name, nick, later.nick, mute.untilMs}, id);
            });
}

void ChatService::onUnmute(Session &session, const Unmute &request, const QJsonValue &id)
{
    if (!moderatedRoom(session, request.room, Action::Mute, id))
        return;
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        unmute(later, request, target, id);
    });
}

void ChatService::unmute(Session &session, const Unmute &request, const Target &target, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Mute, id);
    if (!room)
        return;
    // By the user's account if it is online and logged in, and by the nick.
    QStringList targets{QStringLiteral("nick:") + nameKey(request.nick)};
    if (target.found())
        targets.append(userKey(target));
    storeModeration(
            session, room->key, QStringLiteral("the unmute"),
            [this, roomKey = room->key, targets](QString *error) {
                for (const QString &target : targets) {
                    if (!m_moderation->removeMute(roomKey, target, error))
                        return false;
                }
                return true;
            },
            id,
            [this, targets, nick = request.nick, id](Session &later, Room *room) {
                room->mutes.removeIf(
                        [&](const ModerationStore::MuteRecord &mute) { return targets.contains(mute.target); });
                audit(later, room, QStringLiteral("unmute"), nick, QString());
                tellRoom(later, room, Unmuted{room->name, nick, later.nick}, id);
            });
}

void ChatService::onMode(Session &session, const SetMode &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::SetMode, id);
    if (!room)
        return;
    ModerationStore::Modes modes = room->modes;
    if (request.inviteOnly)
        modes.inviteOnly = *request.inviteOnly;
    if (request.key)
        modes.key = *request.key;
    if (request.topicLocked)
        modes.topicLocked = *request.topicLocked;
    storeModeration(
            session, room->key, QStringLiteral("the modes"),
            [this, roomKey = room->key, modes](QString *error) { return m_moderation->saveModes(roomKey, modes, error); },
            id,
            [this, modes, id](Session &later, Room *room) {
                room->modes = modes;
                // The key itself stays out of the log and the event.
                audit(later, room, QStringLiteral("mode"), QString(),
                      QStringLiteral("invite_only=%1 key=%2 topic_locked=%3")
                              .arg(modes.inviteOnly ? u"on" : u"off", modes.key.isEmpty() ? u"none" : u"set",
                                   modes.topicLocked ? u"on" : u"off"));
                tellRoom(later, room,
                         ModeChanged{room->name, modes.inviteOnly, !modes.key.isEmpty(), modes.topicLocked, later.nick},
                         id);
            });
}

void ChatService::onInvite(Session &session, const Invite &request, const QJsonValue &id)
{
    const Room *room = joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    if (!Permissions::permits(Action::Invite, rankIn(session, room), std::nullopt, room->modes.inviteOnly)) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("only the ops of %1 invite, while it is by invitation only").arg(room->name), id);
        return;
    }
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        invite(later, request, target, id);
    });
}

void ChatService::invite(Session &session, const Invite &request, const Target &target, const QJsonValue &id)
{
    Room *room = joinedRoomOrError(session, request.room, id);
    if (!room || !foundOrError(session, target, request.nick, id))
        return;
    const Invited event{room->name, target.nick(), session.nick};
    if (target.remote) {
        // Kept by the user's server, where they will join.
        publishNote({{QStringLiteral("to"), nameKey(target.nick())},
                     {QStringLiteral("invite"), room->key},
                     {QStringLiteral("user"), userKey(target)}},
                    encode(event), target.remote->server);
    } else {
        m_invitations.add(room->key, userKey(target));
        if (target.local != &session)
            deliver(plainDelivery({target.local}, encode(event)));
    }
    reply(session, event, id);
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

// ------------------------------------------------------------ rooms

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
