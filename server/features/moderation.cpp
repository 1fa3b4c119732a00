// Room roles, bans, mutes, modes, invitations and the audit log (protocol
// section 13).

#include "moderation.h"
#include "chatinternal.h"

#include "connection.h"

#include "logging.h"
#include "moderationstore.h"
#include "names.h"

#include <QDateTime>

using namespace Confab::Protocol;
using namespace ChatInternal;

void Moderation::changeRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                             const QJsonValue &id, std::function<void(Session &, Room *)> then)
{
    m_core.storeModeration(
            actor, room->key, QStringLiteral("the role"),
            [this, roomKey = room->key, accountKey, rank](QString *error) {
                return m_core.moderation().setRole(roomKey, accountKey, rank, error);
            },
            id,
            [this, accountKey, nick, rank, id, then](Session &later, Room *room) {
                applyRole(later, room, accountKey, nick, rank, id);
                then(later, room);
            });
}

void Moderation::applyRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
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

void Moderation::onClaim(Session &session, const Claim &request, const QJsonValue &id)
{
    Room *room = m_core.joinedRoom(session, request.room);
    if (!room) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(request.room), id);
        return;
    }
    const auto alreadyOwned = [this, id, name = room->name](Session &later) {
        m_core.sendError(later, ErrorCode::AlreadyOwned, QStringLiteral("%1 has an owner already").arg(name), id);
    };
    for (auto it = room->roles.cbegin(); it != room->roles.cend(); ++it) {
        if (it.value() == Rank::Owner) {
            alreadyOwned(session);
            return;
        }
    }
    // The database decides (another server may be taking it right now).
    using Outcome = std::pair<ModerationStore::ClaimOutcome, QString>;
    m_core.offloadToStore<Outcome>(
            session,
            [this, roomKey = room->key, account = session.accountKey] {
                QString error;
                const ModerationStore::ClaimOutcome outcome = m_core.moderation().claimRoom(roomKey, account, &error);
                return Outcome{outcome, error};
            },
            [this, roomKey = room->key, alreadyOwned, id](Session &later, const Outcome &outcome) {
                Room *room = m_core.findRoom(roomKey);
                switch (outcome.first) {
                case ModerationStore::ClaimOutcome::AlreadyOwned:
                    alreadyOwned(later);
                    return;
                case ModerationStore::ClaimOutcome::Failed:
                    qCCritical(lcStore).noquote() << "cannot store a claim -" << outcome.second;
                    m_core.sendError(later, ErrorCode::StorageFailed,
                                     QStringLiteral("the server cannot store the role right now"), id);
                    return;
                case ModerationStore::ClaimOutcome::Claimed:
                    break;
                }
                if (!room) {
                    m_core.sendError(later, ErrorCode::NotInRoom, QStringLiteral("you are no longer in that room"), id);
                    return;
                }
                applyRole(later, room, later.accountKey, later.nick, Rank::Owner, id);
                m_core.audit(later, room, QStringLiteral("claim"), later.nick, QString());
            });
}

void Moderation::onGrant(Session &session, const Grant &request, const QJsonValue &id)
{
    if (!m_core.joinedRoomOrError(session, request.room, id))
        return;
    m_core.findUser(session, request.nick, QString(), [this, request, id](Session &later, const ChatCore::Target &target) {
        grant(later, request, target, id);
    });
}

void Moderation::grant(Session &session, const Grant &request, const ChatCore::Target &target, const QJsonValue &id)
{
    Room *room = m_core.joinedRoomOrError(session, request.room, id);
    if (!room || !m_core.foundOrError(session, target, request.nick, id))
        return;
    if (target.accountKey().isEmpty()) {
        m_core.sendError(session, ErrorCode::NotLoggedIn,
                         QStringLiteral("%1 is not logged in: roles belong to accounts").arg(target.nick()), id);
        return;
    }
    if (!Permissions::permits(Action::Grant, m_core.rankIn(session, room), m_core.rankOf(target.accountKey(), room))) {
        m_core.sendError(session, ErrorCode::NotPermitted,
                         QStringLiteral("only the owner of %1 gives and takes roles, and not to someone of equal rank")
                          .arg(room->name),
                         id);
        return;
    }
    const Rank rank = request.role == QLatin1String("op") ? Rank::Op : Rank::Member;
    changeRole(session, room, target.accountKey(), target.nick(), rank, id,
               [this, nick = target.nick(), role = request.role](Session &later, Room *changed) {
                   m_core.audit(later, changed, QStringLiteral("grant"), nick, role);
               });
}

void Moderation::onKick(Session &session, const Kick &request, const QJsonValue &id)
{
    const Room *room = m_core.joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    m_core.findUser(session, request.nick, room->key, [this, request, id](Session &later, const ChatCore::Target &target) {
        kick(later, request, target, id);
    });
}

void Moderation::kick(Session &session, const Kick &request, const ChatCore::Target &target, const QJsonValue &id)
{
    Room *room = m_core.joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    if (!target.found() || !target.isIn(room)) {
        m_core.sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not in %2").arg(request.nick, room->name),
                         id);
        return;
    }
    if (!Permissions::permits(Action::Kick, m_core.rankIn(session, room), m_core.rankOf(target.accountKey(), room))) {
        m_core.sendError(session, ErrorCode::NotPermitted,
                         QStringLiteral("you may not kick %1 from %2").arg(target.nick(), room->name), id);
        return;
    }
    const QString reason = request.reason.value_or(QString());
    const Kicked event{room->name, target.nick(), session.nick, reason};
    ChatCore::Delivery delivery = ChatCore::plainDelivery(room->members, encode(event));
    delivery.requester = &session;
    delivery.requesterFrame = encode(event, id);
    // The server the user is on takes them out of the room.
    delivery.clusterRooms = {room->key};
    delivery.clusterNote = {{QStringLiteral("kick"), nameKey(target.nick())}};
    m_core.deliver(std::move(delivery));
    m_core.audit(session, room, QStringLiteral("kick"), target.nick(), reason);
    if (target.local)
        m_core.removeFromRoom(*target.local, room, reason, false);
    else
        m_core.forgetRemoteMember(room, target);
}

void Moderation::onAudit(Session &session, const GetAudit &request, const QJsonValue &id)
{
    const std::optional<QString> roomKey = request.room ? std::optional<QString>(nameKey(*request.room)) : std::nullopt;
    if (!roomKey && !m_core.isServerOperator(session)) {
        m_core.sendError(session, ErrorCode::NotPermitted, QStringLiteral("the server's audit log is for its operators"),
                         id);
        return;
    }
    const Room *open = roomKey ? m_core.findRoom(*roomKey) : nullptr;
    if (open && !mayReadAudit(session, open, *request.room, id))
        return;
    // For a room nobody here is in, its roles are read with the page.
    const bool closed = roomKey && !open;
    using Read = std::pair<Room, QList<ModerationStore::AuditRecord>>;
    m_core.offloadToStore<Read>(
            session,
            [this, roomKey, closed, before = request.before, limit = request.limit.value_or(Defaults::HistoryPage)] {
                Room room;
                if (closed)
                    room.roles = m_core.moderation().loadRoles(*roomKey);
                return Read{room, m_core.moderation().audit(roomKey, before, limit)};
            },
            [this, closed, name = request.room, id](Session &later, const Read &read) {
                if (closed && !mayReadAudit(later, &read.first, *name, id))
                    return;
                AuditPage page;
                for (const ModerationStore::AuditRecord &record : read.second)
                    page.entries.append(AuditEntry{record.ts, record.actor, record.action, record.room, record.target,
                                                   record.reason});
                m_core.reply(later, page, id);
            });
}

bool Moderation::mayReadAudit(Session &session, const Room *room, const QString &name, const QJsonValue &id)
{
    if (Permissions::permits(Action::ReadAudit, m_core.rankIn(session, room)))
        return true;
    m_core.sendError(session, ErrorCode::NotPermitted, QStringLiteral("the audit log of %1 is for its ops").arg(name), id);
    return false;
}

Room *Moderation::moderatedRoom(Session &session, const QString &name, Action action, const QJsonValue &id)
{
    Room *room = m_core.joinedRoom(session, name);
    if (!room) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(name), id);
        return nullptr;
    }
    if (!Permissions::permits(action, m_core.rankIn(session, room))) {
        m_core.sendError(session, ErrorCode::NotPermitted, QStringLiteral("that is for the ops of %1").arg(room->name), id);
        return nullptr;
    }
    return room;
}

const Room::Ban *Moderation::banFor(const Session &session, Room *room)
{
    // The owner, and server operators, are never kept out of their room.
    if (m_core.rankIn(session, room) >= Rank::Owner)
        return nullptr;
    dropExpired(room->bans);
    const Mask::Subject subject{session.accountKey, session.nick, session.connection->peerAddress()};
    for (const Room::Ban &ban : std::as_const(room->bans)) {
        if (ban.mask.matches(subject))
            return &ban;
    }
    return nullptr;
}

QString Moderation::bannedMessage(const Room *room, const Room::Ban &ban) const
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

BanList Moderation::banList(Room *room)
{
    dropExpired(room->bans);
    return BanList{room->name, banEntries(room->bans)};
}

void Moderation::onBan(Session &session, const Ban &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Ban, id);
    if (!room)
        return;
    const std::optional<Mask> mask = m_core.maskOrError(session, request.mask, id);
    if (!mask)
        return;
    const QString reason = request.reason.value_or(QString());
    const ModerationStore::BanRecord record{
            mask->text(), session.isLoggedIn() ? session.account : session.nick, reason,
            untilAfter(request.duration)};
    m_core.storeModeration(
            session, room->key, QStringLiteral("the ban"),
            [this, roomKey = room->key, maskKey = mask->key(), record](QString *error) {
                return m_core.moderation().putBan(roomKey, maskKey, record, error);
            },
            id,
            [this, mask = *mask, record, reason, id](Session &later, Room *room) {
                room->bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); });
                room->bans.append(Room::Ban{mask, record});
                m_core.audit(later, room, QStringLiteral("ban"), mask.text(), reason);

                const Rank setter = m_core.rankIn(later, room);
                // Every server takes its own members out, once it has the ban.
                m_core.publishNote({{QStringLiteral("rooms"), QJsonArray{room->key}},
                             {QStringLiteral("reload"), true},
                             {QStringLiteral("ban"), mask.text()},
                             {QStringLiteral("rank"), int(setter)},
                             {QStringLiteral("by"), later.nick},
                             {QStringLiteral("reason"), reason}},
                                   QByteArray());
                const QString roomKey = room->key;
                enforceRoomBan(room, mask, setter, later.nick, reason);
                // The last member may have left with the ban; the setter never does.
                if (Room *still = m_core.findRoom(roomKey))
                           m_core.reply(later, banList(still), id);
            });
}

void Moderation::enforceRoomBan(Room *room, const Mask &mask, Rank setter, const QString &by, const QString &reason)
{
    const QList<Session *> members = room->members;
    for (Session *member : members) {
        const Mask::Subject subject{member->accountKey, member->nick, member->connection->peerAddress()};
        if (!mask.matches(subject) || m_core.rankIn(*member, room) >= setter)
            continue;
        ChatCore::Delivery delivery = ChatCore::plainDelivery(
                room->members,
                encode(Kicked{room->name, member->nick, by, reason.isEmpty() ? QStringLiteral("banned") : reason}));
        delivery.clusterRooms = {room->key};
        m_core.deliver(std::move(delivery));
        m_core.removeFromRoom(*member, room, reason, false);
    }
}

void Moderation::onUnban(Session &session, const Unban &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Ban, id);
    if (!room)
        return;
    const std::optional<Mask> mask = m_core.maskOrError(session, request.mask, id);
    if (!mask)
        return;
    m_core.storeModeration(
            session, room->key, QStringLiteral("the unban"),
            [this, roomKey = room->key, maskKey = mask->key()](QString *error) {
                return m_core.moderation().removeBan(roomKey, maskKey, error);
            },
            id,
            [this, mask = *mask, id](Session &later, Room *room) {
                if (room->bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); }) > 0)
                           m_core.audit(later, room, QStringLiteral("unban"), mask.text(), QString());
                m_core.reply(later, banList(room), id);
                m_core.publishNote({{QStringLiteral("rooms"), QJsonArray{room->key}}, {QStringLiteral("reload"), true}},
                                   QByteArray());
            });
}

void Moderation::onBanList(Session &session, const GetBanList &request, const QJsonValue &id)
{
    if (Room *room = moderatedRoom(session, request.room, Action::Ban, id))
        m_core.reply(session, banList(room), id);
}

QString Moderation::userKey(const Session &session)
{
    return session.isLoggedIn() ? QStringLiteral("account:") + session.accountKey
                                : QStringLiteral("nick:") + session.nickKey;
}

QString Moderation::userKey(const ChatCore::Target &target)
{
    return target.local ? userKey(*target.local)
           : target.accountKey().isEmpty() ? QStringLiteral("nick:") + nameKey(target.nick())
                                           : QStringLiteral("account:") + target.accountKey();
}

template <typename T>
void Moderation::tellRoom(Session &requester, Room *room, const T &event, const QJsonValue &id)
{
    QList<Session *> audience = room->members;
    if (!audience.contains(&requester))
        audience.append(&requester);
    ChatCore::Delivery delivery = ChatCore::plainDelivery(audience, encode(event));
    delivery.requester = &requester;
    delivery.requesterFrame = encode(event, id);
    // Each of these is about a change of the room's moderation, which the
    // other servers read again from the store before passing it on.
    delivery.clusterRooms = {room->key};
    delivery.clusterNote = {{QStringLiteral("reload"), true}};
    m_core.deliver(std::move(delivery));
}

void Moderation::onMute(Session &session, const Mute &request, const QJsonValue &id)
{
    if (!moderatedRoom(session, request.room, Action::Mute, id))
        return;
    m_core.findUser(session, request.nick, QString(), [this, request, id](Session &later, const ChatCore::Target &target) {
        mute(later, request, target, id);
    });
}

void Moderation::mute(Session &session, const Mute &request, const ChatCore::Target &target, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Mute, id);
    if (!room)
        return;
    if (!m_core.foundOrError(session, target, request.nick, id))
        return;
    if (!Permissions::permits(Action::Mute, m_core.rankIn(session, room), m_core.rankOf(target.accountKey(), room))) {
        m_core.sendError(session, ErrorCode::NotPermitted, QStringLiteral("you may not mute %1").arg(target.nick()), id);
        return;
    }
    const ModerationStore::MuteRecord mute{
            userKey(target), session.isLoggedIn() ? session.account : session.nick, request.reason.value_or(QString()),
            untilAfter(request.duration)};
    m_core.storeModeration(
            session, room->key, QStringLiteral("the mute"),
            [this, roomKey = room->key, mute](QString *error) { return m_core.moderation().putMute(roomKey, mute, error); },
            id,
            [this, mute, nick = target.nick(), id](Session &later, Room *room) {
                room->mutes.removeIf([&](const ModerationStore::MuteRecord &old) { return old.target == mute.target; });
                room->mutes.append(mute);
                m_core.audit(later, room, QStringLiteral("mute"), nick, mute.reason);
                tellRoom(later, room, Muted{room->name, nick, later.nick, mute.untilMs}, id);
            });
}

void Moderation::onUnmute(Session &session, const Unmute &request, const QJsonValue &id)
{
    if (!moderatedRoom(session, request.room, Action::Mute, id))
        return;
    m_core.findUser(session, request.nick, QString(), [this, request, id](Session &later, const ChatCore::Target &target) {
        unmute(later, request, target, id);
    });
}

void Moderation::unmute(Session &session, const Unmute &request, const ChatCore::Target &target, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Mute, id);
    if (!room)
        return;
    // By the user's account if it is online and logged in, and by the nick.
    QStringList targets{QStringLiteral("nick:") + nameKey(request.nick)};
    if (target.found())
        targets.append(userKey(target));
    m_core.storeModeration(
            session, room->key, QStringLiteral("the unmute"),
            [this, roomKey = room->key, targets](QString *error) {
                for (const QString &target : targets) {
                           if (!m_core.moderation().removeMute(roomKey, target, error))
                        return false;
                }
                return true;
            },
            id,
            [this, targets, nick = request.nick, id](Session &later, Room *room) {
                room->mutes.removeIf(
                        [&](const ModerationStore::MuteRecord &mute) { return targets.contains(mute.target); });
                m_core.audit(later, room, QStringLiteral("unmute"), nick, QString());
                tellRoom(later, room, Unmuted{room->name, nick, later.nick}, id);
            });
}

void Moderation::onMode(Session &session, const SetMode &request, const QJsonValue &id)
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
    m_core.storeModeration(
            session, room->key, QStringLiteral("the modes"),
            [this, roomKey = room->key, modes](QString *error) { return m_core.moderation().saveModes(roomKey, modes, error); },
            id,
            [this, modes, id](Session &later, Room *room) {
                room->modes = modes;
                // The key itself stays out of the log and the event.
                m_core.audit(later, room, QStringLiteral("mode"), QString(),
                             QStringLiteral("invite_only=%1 key=%2 topic_locked=%3")
                              .arg(modes.inviteOnly ? u"on" : u"off", modes.key.isEmpty() ? u"none" : u"set",
                                   modes.topicLocked ? u"on" : u"off"));
                tellRoom(later, room,
                         ModeChanged{room->name, modes.inviteOnly, !modes.key.isEmpty(), modes.topicLocked, later.nick},
                         id);
            });
}

void Moderation::onInvite(Session &session, const Invite &request, const QJsonValue &id)
{
    const Room *room = m_core.joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    if (!Permissions::permits(Action::Invite, m_core.rankIn(session, room), std::nullopt, room->modes.inviteOnly)) {
        m_core.sendError(session, ErrorCode::NotPermitted,
                         QStringLiteral("only the ops of %1 invite, while it is by invitation only").arg(room->name), id);
        return;
    }
    m_core.findUser(session, request.nick, QString(), [this, request, id](Session &later, const ChatCore::Target &target) {
        invite(later, request, target, id);
    });
}

void Moderation::invite(Session &session, const Invite &request, const ChatCore::Target &target, const QJsonValue &id)
{
    Room *room = m_core.joinedRoomOrError(session, request.room, id);
    if (!room || !m_core.foundOrError(session, target, request.nick, id))
        return;
    const Invited event{room->name, target.nick(), session.nick};
    if (target.remote) {
        // Kept by the user's server, where they will join.
        m_core.publishNote({{QStringLiteral("to"), nameKey(target.nick())},
                     {QStringLiteral("invite"), room->key},
                     {QStringLiteral("user"), userKey(target)}},
                           encode(event), target.remote->server);
    } else {
        m_invitations.add(room->key, userKey(target));
        if (target.local != &session)
            m_core.deliver(ChatCore::plainDelivery({target.local}, encode(event)));
    }
    m_core.reply(session, event, id);
}

