// Rooms: join, leave, say, topic, list, who, history, and rooms opened and
// closed in memory (protocol sections 6 to 8).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"
#include "reactions.h"

#include "clusterbus.h"

#include "messagestore.h"
#include "moderationstore.h"
#include "names.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>

using namespace Confab::Protocol;
using namespace ChatInternal;

QList<QPair<QString, int>> ChatService::largestRooms(int limit) const
{
    QList<QPair<QString, int>> rooms;
    rooms.reserve(qsizetype(m_rooms.size()));
    for (const auto &[key, room] : m_rooms)
        rooms.append({room->name, int(room->members.size())});
    std::sort(rooms.begin(), rooms.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return rooms.mid(0, limit);
}

void ChatService::onJoin(Session &session, const Join &join, const QJsonValue &id)
{
    const QString key = nameKey(join.room);
    Room *room = findRoom(key);
    const bool member = room && session.rooms.contains(room);
    if (!member && session.rooms.size() >= m_settings.limits.maxRoomsPerUser) {
        sendError(session, ErrorCode::TooManyRooms,
                  QStringLiteral("you are in %1 rooms, the most allowed").arg(session.rooms.size()), id);
        return;
    }
    if (!room) {
        if (m_store->commitsInBackground()) {
            // Read where the commits run; then this join again, the room open.
            openRoomThen(session, join.room, key, [this, join, id](Session &later) { onJoin(later, join, id); });
            return;
        }
        room = openRoom(join.room, key);
    }
    if (!member) {
        std::optional<std::pair<ErrorCode, QString>> refusal;
        const QStringList inviteeKeys{Moderation::userKey(session), QStringLiteral("nick:") + session.nickKey};
        const bool invited = m_roomModeration.invitations().has(room->key, inviteeKeys);
        const bool privileged = rankIn(session, room) >= Rank::Op;
        if (const Room::Ban *ban = m_roomModeration.banFor(session, room))
            refusal = {ErrorCode::Banned, m_roomModeration.bannedMessage(room, *ban)};
        else if (room->modes.inviteOnly && !privileged && !invited)
            refusal = {ErrorCode::InviteOnly, QStringLiteral("%1 is by invitation only").arg(room->name)};
        else if (!room->modes.key.isEmpty() && !privileged && !invited && join.key != room->modes.key)
            refusal = {ErrorCode::BadKey, QStringLiteral("%1 needs the right key to join").arg(room->name)};
        if (refusal) {
            sendError(session, refusal->first, refusal->second, id);
            if (room->members.isEmpty() && room->key != nameKey(QString::fromLatin1(Defaults::LobbyRoom)))
                closeRoom(room);
            return;
        }
        if (invited)
            m_roomModeration.invitations().use(room->key, inviteeKeys);
        const QByteArray joined = encode(UserJoined{room->name, session.nick});
        deliver(plainDelivery(room->members, joined));
        shareWithCluster({room->key}, joined);
        room->members.append(&session);
        session.rooms.append(room);
        announceMembership(session, room, true);
    }
    // With the members on other servers, if any.
    membersElsewhere(session, room->key, [this, key = room->key, id](Session &later, const QList<RemoteMember> &remote) {
        if (Room *joined = findRoom(key))
            replyJoined(later, joined, id, remote);
    });
}

void ChatService::replyJoined(Session &session, Room *room, const QJsonValue &id, const QList<RemoteMember> &remote)
{
    QStringList members;
    members.reserve(room->members.size() + remote.size());
    StringMap roles;
    StringMap away;
    auto add = [&](const QString &nick, Rank rank, const std::optional<QString> &awayMessage) {
        members.append(nick);
        if (rank != Rank::Member)
            roles.insert(nick, rank == Rank::Op ? QStringLiteral("op") : QStringLiteral("owner"));
        if (awayMessage)
            away.insert(nick, *awayMessage);
    };
    for (const Session *other : std::as_const(room->members))
        add(other->nick, rankIn(*other, room), other->away);
    for (const RemoteMember &other : remote)
        add(other.nick, rankOf(other.accountKey, room), other.away);
    const RoomModes modes{room->modes.inviteOnly, !room->modes.key.isEmpty(), room->modes.topicLocked};
    QList<ChatMessage> recent = asSeenBy(session.nickKey, room->recent);
    fitPage(recent, true); // older ones are a scroll back away
    reply(session, Joined{room->name, room->topic, members, recent, roles, modes,
                          away.isEmpty() ? std::nullopt : std::optional<StringMap>(away),
                          room->lastRev ? std::optional<qint64>(room->lastRev) : std::nullopt,
                          session.readMarker(u'#' + room->key)},
          id);
}

void ChatService::onLeave(Session &session, const Leave &leave, const QJsonValue &id)
{
    Room *room = joinedRoom(session, leave.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(leave.room), id);
        return;
    }
    const QString name = room->name;
    removeFromRoom(session, room, leave.reason.value_or(QString()));
    reply(session, Left{name}, id);
}

void ChatService::onSay(Session &session, const Say &say, const QJsonValue &id)
{
    Room *room = joinedRoom(session, say.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(say.room), id);
        return;
    }
    if (const ModerationStore::MuteRecord *mute = muteFor(session, room)) {
        QString why = mute->untilMs ? QStringLiteral("you are muted in %1 until %2")
                                              .arg(room->name, QDateTime::fromMSecsSinceEpoch(*mute->untilMs, Qt::UTC)
                                                                       .toString(Qt::ISODate))
                                    : QStringLiteral("you are muted in %1").arg(room->name);
        if (!mute->reason.isEmpty())
            why += QStringLiteral(": ") + mute->reason;
        sendError(session, ErrorCode::Muted, why, id);
        return;
    }
    scheduleCommit(room);
    session.typingPassedOn.remove(u'#' + room->key); // the message itself ends "typing"
    // An action is marked only when it is one: plain messages stay as v1 knew them.
    const ChatMessage message{room->name, session.nick, say.text, qMax(wallClockMs(), session.nickSinceMs),
                              nextRoomSeq(room),
                              say.action.value_or(false) ? std::optional<bool>(true) : std::nullopt,
                              std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    m_store->appendMessage(room->key, room->name, message, session.accountKey);

    Delivery delivery;
    delivery.chatMessage = true;
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    if (hasId(id))
        delivery.requester = &session;
    deliverRoomMessage(std::move(delivery), room, message, id);
}

void ChatService::onTopic(Session &session, const SetTopic &request, const QJsonValue &id)
{
    Room *room = joinedRoom(session, request.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(request.room), id);
        return;
    }
    if (room->modes.topicLocked && rankIn(session, room) < Rank::Op) {
        sendError(session, ErrorCode::TopicLocked, QStringLiteral("only ops may set the topic of %1").arg(room->name),
                  id);
        return;
    }
    scheduleCommit(room);
    room->topic = request.topic;
    m_store->saveTopic(room->key, room->name, room->topic);
    const TopicChanged event{room->name, room->topic, session.nick};
    Delivery delivery = plainDelivery(room->members, encode(event));
    delivery.requester = delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.requesterFrame = encode(event, id);
    delivery.authorId = id;
    delivery.clusterRooms = {room->key};
    deliver(std::move(delivery));
}

void ChatService::onList(Session &session, const QJsonValue &id)
{
    roomsElsewhere(session, [this, id](Session &later, const QList<RemoteRoom> &remote) {
                   if (remote.isEmpty()) {
                       replyList(later, {}, {}, id);
                       return;
                   }
                   QStringList elsewhere;
                   for (const RemoteRoom &other : remote) {
                       if (!findRoom(other.key))
                           elsewhere.append(other.key);
                   }
                   // The topics of rooms open only elsewhere are in the store.
                   offloadToStore<QHash<QString, QString>>(
                           later,
                           [this, elsewhere] {
                               QHash<QString, QString> topics;
                               for (const QString &key : elsewhere) {
                                   if (const auto record = m_store->loadRoom(key))
                                       topics.insert(key, record->topic);
                               }
                               return topics;
                           },
                           [this, remote, id](Session &again, const QHash<QString, QString> &topics) {
                               replyList(again, remote, topics, id);
                           });
               });
}

void ChatService::replyList(Session &session, const QList<RemoteRoom> &remote, const QHash<QString, QString> &topics,
                            const QJsonValue &id)
{
    RoomList list;
    list.rooms.reserve(qsizetype(m_rooms.size()) + remote.size());
    QHash<QString, int> elsewhere;
    for (const RemoteRoom &other : remote)
        elsewhere.insert(other.key, other.members);
    for (const auto &[key, room] : m_rooms)
        list.rooms.append(RoomInfo{room->name, room->topic, int(room->members.size()) + elsewhere.take(key)});
    for (const RemoteRoom &other : remote) {
        if (elsewhere.contains(other.key)) // else open here, counted above
            list.rooms.append(RoomInfo{other.name, topics.value(other.key), other.members});
    }
    // However many rooms there are, the answer stays within a size every
    // client accepts: past it, the rooms with the most members, and `more`.
    const auto sizeOf = [](const RoomInfo &room) {
        return 48 + jsonStringBytes(room.name) + jsonStringBytes(room.topic);
    };
    qsizetype bytes = 0;
    for (const RoomInfo &room : std::as_const(list.rooms))
        bytes += sizeOf(room);
    if (bytes > Defaults::RoomListBytes) {
        std::stable_sort(list.rooms.begin(), list.rooms.end(),
                         [](const RoomInfo &a, const RoomInfo &b) { return a.members > b.members; });
        qsizetype kept = 0;
        for (bytes = 0; kept < list.rooms.size(); ++kept) {
            bytes += sizeOf(list.rooms.at(kept));
            if (bytes > Defaults::RoomListBytes)
                break;
        }
        list.rooms.resize(kept);
        list.more = true;
    }
    std::sort(list.rooms.begin(), list.rooms.end(), [](const RoomInfo &a, const RoomInfo &b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    reply(session, list, id);
}

void ChatService::onWho(Session &session, const Who &who, const QJsonValue &id)
{
    MemberList list;
    if (who.room) {
        const Room *room = findRoom(nameKey(*who.room));
        list.room = room ? room->name : *who.room;
        if (room) {
            for (const Session *member : room->members)
                list.members.append(member->nick);
        }
    } else {
        for (const Session *user : std::as_const(m_users))
            list.members.append(user->nick);
        list.members.sort(Qt::CaseInsensitive);
    }
    // And who is on other servers, if any.
    const std::optional<QString> roomKey = who.room ? std::optional<QString>(nameKey(*who.room)) : std::nullopt;
    membersElsewhere(session, roomKey,
                     [this, list, id, everyone = !who.room](Session &later, const QList<RemoteMember> &remote) {
                         MemberList all = list;
                         for (const RemoteMember &other : remote)
                             all.members.append(other.nick);
                         if (everyone && !remote.isEmpty())
                             all.members.sort(Qt::CaseInsensitive);
                         reply(later, all, id);
                     });
}

void ChatService::onHistory(Session &session, const GetHistory &request, const QJsonValue &id)
{
    // The page must include messages accepted in this pass.
    commitBeforeRead();
    const MessageStore::HistoryQuery query{request.before, request.after,
                                           request.limit.value_or(Defaults::HistoryPage), request.changedAfter};
    const QString key = nameKey(request.room);
    if (Room *open = findRoom(key)) {
        if (!mayReadHistory(session, open, id))
            return;
        const QString name = open->name;
        offloadToStore<QList<ChatMessage>>(
                session, [this, key, name, query] { return m_store->history(key, name, query); },
                [this, name, newest = !request.after && !request.changedAfter, id](Session &later,
                                                                                     const QList<ChatMessage> &page) {
                    QList<ChatMessage> fitted = asSeenBy(later.nickKey, page);
                    const bool cut = fitPage(fitted, newest);
                    reply(later, HistoryPage{name, fitted, moreIf(cut)}, id);
                });
        return;
    }
    // A room nobody here is in: its name, modes and bans come from the
    // store with the page.
    using Read = std::pair<Room, QList<ChatMessage>>;
    offloadToStore<Read>(
            session,
            [this, key, name = request.room, query] {
                Room room;
                room.key = key;
                room.name = name;
                readRoom(room, false);
                return Read{room, m_store->history(key, room.name, query)};
            },
            [this, newest = !request.after && !request.changedAfter, id](Session &later, const Read &read) {
                Room room = read.first;
                if (!mayReadHistory(later, &room, id))
                    return;
                QList<ChatMessage> fitted = asSeenBy(later.nickKey, read.second);
                const bool cut = fitPage(fitted, newest);
                reply(later, HistoryPage{room.name, fitted, moreIf(cut)}, id);
            });
}

bool ChatService::mayReadHistory(Session &session, Room *room, const QJsonValue &id)
{
    const bool closed = room->modes.inviteOnly || !room->modes.key.isEmpty();
    if (closed && !session.rooms.contains(room)) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("the history of %1 is for its members").arg(room->name),
                  id);
        return false;
    }
    if (const Room::Ban *ban = m_roomModeration.banFor(session, room)) {
        sendError(session, ErrorCode::Banned, m_roomModeration.bannedMessage(room, *ban), id);
        return false;
    }
    return true;
}

void ChatService::commitBeforeRead()
{
    // With a commit thread, offloadToStore() sees to it.
    if (!m_store->commitsInBackground())
        commitAndDeliver();
}

Room *ChatService::findRoom(const QString &key) const
{
    const auto it = m_rooms.find(key);
    return it == m_rooms.end() ? nullptr : it->second.get();
}

Room *ChatService::joinedRoomOrError(Session &session, const QString &name, const QJsonValue &id)
{
    Room *room = joinedRoom(session, name);
    if (!room)
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(name), id);
    return room;
}

bool ChatService::foundOrError(Session &session, const Target &target, const QString &nick, const QJsonValue &id)
{
    if (!target.found())
        sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not online").arg(nick), id);
    return target.found();
}

Room *ChatService::joinedRoom(const Session &session, const QString &name) const
{
    // Most requests spell the room as it is shown; that needs no folding.
    for (Room *room : session.rooms) {
        if (room->name == name)
            return room;
    }
    const QString key = nameKey(name);
    for (Room *room : session.rooms) {
        if (room->key == key)
            return room;
    }
    return nullptr;
}

Room *ChatService::openRoom(const QString &name, const QString &key)
{
    // The store must have every earlier message of this room before its
    // last seq is read.
    commitAndDeliver();
    auto room = std::make_unique<Room>();
    room->key = key;
    room->name = name;
    readRoom(*room, true);
    return installRoom(std::move(room));
}

void ChatService::openRoomThen(Session &session, const QString &name, const QString &key,
                               std::function<void(Session &)> then)
{
    // Nothing of this room waits to be stored here (closing it committed
    // what did), and the read comes after the commits under way.
    offloadToStore<std::shared_ptr<Room>>(
            session,
            [this, name, key] {
                auto room = std::make_shared<Room>();
                room->key = key;
                room->name = name;
                readRoom(*room, true);
                return room;
            },
            [this, then](Session &later, const std::shared_ptr<Room> &read) {
                if (!findRoom(read->key)) // else opened for someone else meanwhile
                    installRoom(std::make_unique<Room>(*read));
                then(later);
            });
}

void ChatService::readRoom(Room &room, bool withRecent) const
{
    if (const auto record = m_store->loadRoom(room.key)) {
        room.name = record->name;
        room.topic = record->topic;
        room.lastSeq = record->lastSeq;
        room.lastRev = record->lastRev;
        if (withRecent)
            room.recent = m_store->history(room.key, room.name, recentQuery());
    }
    // A room may have roles, bans, mutes and modes without ever having had
    // a message.
    loadModeration(room);
}

Room *ChatService::installRoom(std::unique_ptr<Room> room)
{
    Room *raw = room.get();
    const QString key = raw->key;
    m_rooms.emplace(key, std::move(room));
    listenToRoom(key);
    return raw;
}

void ChatService::removeFromRoom(Session &session, Room *room, const QString &reason, bool announce)
{
    announceMembership(session, room, false);
    session.rooms.removeOne(room);
    room->members.removeOne(&session);
    const QByteArray left = encode(UserLeft{room->name, session.nick, reason});
    if (announce)
        shareWithCluster({room->key}, left);
    if (!room->members.isEmpty()) {
        if (!announce)
            return;
        deliver(plainDelivery(room->members, left));
    } else if (room->key != nameKey(QString::fromLatin1(Defaults::LobbyRoom))) {
        if (m_store->commitsInBackground()) {
            // Once no delivery waiting for a commit names it.
            m_emptyRooms.insert(room->key);
            closeEmptyRooms();
            return;
        }
        commitAndDeliver();
        closeRoom(room);
    }
}

// ------------------------------------------------------------ sending
