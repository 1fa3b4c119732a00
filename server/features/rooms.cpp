// Rooms as users ask about them (protocol sections 6 to 8): join, leave,
// say, topic, the room list, who is here, and history pages. The rooms
// themselves are the chat core's (ChatCore::findRoom(), openRoom(), ...);
// who may come in is asked of Moderation.

#include "rooms.h"
#include "chatinternal.h"
#include "moderation.h"
#include "reactions.h"

#include "messagestore.h"
#include "moderationstore.h"
#include "names.h"

#include <QDateTime>

#include <algorithm>

using namespace Confab::Protocol;
using namespace ChatInternal;

void Rooms::onJoin(Session &session, const Join &join, const QJsonValue &id)
{
    const QString key = nameKey(join.room);
    Room *room = m_core.findRoom(key);
    const bool member = room && session.rooms.contains(room);
    if (!member && session.rooms.size() >= m_core.maxRoomsPerUser()) {
        m_core.sendError(session, ErrorCode::TooManyRooms,
                  QStringLiteral("you are in %1 rooms, the most allowed").arg(session.rooms.size()), id);
        return;
    }
    if (!room) {
        if (m_core.messages().commitsInBackground()) {
            // Read where the commits run; then this join again, the room open.
            m_core.openRoomThen(session, join.room, key, [this, join, id](Session &later) { onJoin(later, join, id); });
            return;
        }
        room = m_core.openRoom(join.room, key);
    }
    if (!member) {
        std::optional<std::pair<ErrorCode, QString>> refusal;
        const QStringList inviteeKeys{Moderation::userKey(session), QStringLiteral("nick:") + session.nickKey};
        const bool invited = m_moderation.invitations().has(room->key, inviteeKeys);
        const bool privileged = m_core.rankIn(session, room) >= Rank::Op;
        if (const Room::Ban *ban = m_moderation.banFor(session, room))
            refusal = {ErrorCode::Banned, m_moderation.bannedMessage(room, *ban)};
        else if (room->modes.inviteOnly && !privileged && !invited)
            refusal = {ErrorCode::InviteOnly, QStringLiteral("%1 is by invitation only").arg(room->name)};
        else if (!room->modes.key.isEmpty() && !privileged && !invited && join.key != room->modes.key)
            refusal = {ErrorCode::BadKey, QStringLiteral("%1 needs the right key to join").arg(room->name)};
        if (refusal) {
            m_core.sendError(session, refusal->first, refusal->second, id);
            if (room->members.isEmpty() && room->key != nameKey(QString::fromLatin1(Defaults::LobbyRoom)))
                m_core.closeRoom(room);
            return;
        }
        if (invited)
            m_moderation.invitations().use(room->key, inviteeKeys);
        const QByteArray joined = encode(UserJoined{room->name, session.nick});
        m_core.deliver(ChatCore::plainDelivery(room->members, joined));
        m_core.shareWithCluster({room->key}, joined);
        room->members.append(&session);
        session.rooms.append(room);
        m_core.announceMembership(session, room, true);
    }
    // With the members on other servers, if any.
    m_core.membersElsewhere(session, room->key, [this, key = room->key, id](Session &later, const QList<ChatCore::RemoteMember> &remote) {
        if (Room *joined = m_core.findRoom(key))
            replyJoined(later, joined, id, remote);
    });
}

void Rooms::replyJoined(Session &session, Room *room, const QJsonValue &id, const QList<ChatCore::RemoteMember> &remote)
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
        add(other->nick, m_core.rankIn(*other, room), other->away());
    for (const ChatCore::RemoteMember &other : remote)
        add(other.nick, m_core.rankOf(other.accountKey, room), other.away);
    const RoomModes modes{room->modes.inviteOnly, !room->modes.key.isEmpty(), room->modes.topicLocked};
    QList<ChatMessage> recent = asSeenBy(session.nickKey, room->recent);
    fitPage(recent, true); // older ones are a scroll back away
    m_core.reply(session, Joined{room->name, room->topic, members, recent, roles, modes,
                          away.isEmpty() ? std::nullopt : std::optional<StringMap>(away),
                          room->lastRev ? std::optional<qint64>(room->lastRev) : std::nullopt,
                          session.readMarker(u'#' + room->key)},
          id);
}

void Rooms::onLeave(Session &session, const Leave &leave, const QJsonValue &id)
{
    Room *room = m_core.joinedRoom(session, leave.room);
    if (!room) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(leave.room), id);
        return;
    }
    const QString name = room->name;
    m_core.removeFromRoom(session, room, leave.reason.value_or(QString()));
    m_core.reply(session, Left{name}, id);
}

void Rooms::onSay(Session &session, const Say &say, const QJsonValue &id)
{
    Room *room = m_core.joinedRoom(session, say.room);
    if (!room) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(say.room), id);
        return;
    }
    if (const ModerationStore::MuteRecord *mute = m_core.muteFor(session, room)) {
        QString why = mute->untilMs ? QStringLiteral("you are muted in %1 until %2")
                                              .arg(room->name, QDateTime::fromMSecsSinceEpoch(*mute->untilMs, Qt::UTC)
                                                                       .toString(Qt::ISODate))
                                    : QStringLiteral("you are muted in %1").arg(room->name);
        if (!mute->reason.isEmpty())
            why += QStringLiteral(": ") + mute->reason;
        m_core.sendError(session, ErrorCode::Muted, why, id);
        return;
    }
    m_core.scheduleCommit(room);
    session.typingPassedOn.remove(u'#' + room->key); // the message itself ends "typing"
    // An action is marked only when it is one: plain messages stay as v1 knew them.
    const ChatMessage message{room->name, session.nick, say.text, qMax(wallClockMs(), session.nickSinceMs),
                              m_core.nextRoomSeq(room),
                              say.action.value_or(false) ? std::optional<bool>(true) : std::nullopt,
                              std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    m_core.messages().appendMessage(room->key, room->name, message, session.accountKey);

    ChatCore::Delivery delivery;
    delivery.chatMessage = true;
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    if (hasId(id))
        delivery.requester = &session;
    m_core.deliverRoomMessage(std::move(delivery), room, message, id);
}

void Rooms::onTopic(Session &session, const SetTopic &request, const QJsonValue &id)
{
    Room *room = m_core.joinedRoom(session, request.room);
    if (!room) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(request.room), id);
        return;
    }
    if (room->modes.topicLocked && m_core.rankIn(session, room) < Rank::Op) {
        m_core.sendError(session, ErrorCode::TopicLocked, QStringLiteral("only ops may set the topic of %1").arg(room->name),
                  id);
        return;
    }
    m_core.scheduleCommit(room);
    room->topic = request.topic;
    m_core.messages().saveTopic(room->key, room->name, room->topic);
    const TopicChanged event{room->name, room->topic, session.nick};
    ChatCore::Delivery delivery = ChatCore::plainDelivery(room->members, encode(event));
    delivery.requester = delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.requesterFrame = encode(event, id);
    delivery.authorId = id;
    delivery.clusterRooms = {room->key};
    m_core.deliver(std::move(delivery));
}

void Rooms::onList(Session &session, const QJsonValue &id)
{
    m_core.roomsElsewhere(session, [this, id](Session &later, const QList<ChatCore::RemoteRoom> &remote) {
                   if (remote.isEmpty()) {
                       replyList(later, {}, {}, id);
                       return;
                   }
                   QStringList elsewhere;
                   for (const ChatCore::RemoteRoom &other : remote) {
                       if (!m_core.findRoom(other.key))
                           elsewhere.append(other.key);
                   }
                   // The topics of rooms open only elsewhere are in the store.
                   m_core.offloadToStore<QHash<QString, QString>>(
                           later,
                           [this, elsewhere] {
                               QHash<QString, QString> topics;
                               for (const QString &key : elsewhere) {
                                   if (const auto record = m_core.messages().loadRoom(key))
                                       topics.insert(key, record->topic);
                               }
                               return topics;
                           },
                           [this, remote, id](Session &again, const QHash<QString, QString> &topics) {
                               replyList(again, remote, topics, id);
                           });
               });
}

void Rooms::replyList(Session &session, const QList<ChatCore::RemoteRoom> &remote, const QHash<QString, QString> &topics,
                            const QJsonValue &id)
{
    const QList<Room *> open = m_core.openRooms();
    RoomList list;
    list.rooms.reserve(open.size() + remote.size());
    QHash<QString, int> elsewhere;
    for (const ChatCore::RemoteRoom &other : remote)
        elsewhere.insert(other.key, other.members);
    for (const Room *room : open)
        list.rooms.append(RoomInfo{room->name, room->topic, int(room->members.size()) + elsewhere.take(room->key)});
    for (const ChatCore::RemoteRoom &other : remote) {
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
    m_core.reply(session, list, id);
}

void Rooms::onWho(Session &session, const Who &who, const QJsonValue &id)
{
    MemberList list;
    if (who.room) {
        const Room *room = m_core.findRoom(nameKey(*who.room));
        list.room = room ? room->name : *who.room;
        if (room) {
            for (const Session *member : room->members)
                list.members.append(member->nick);
        }
    } else {
        for (const Session *user : m_core.users())
            list.members.append(user->nick);
        list.members.sort(Qt::CaseInsensitive);
    }
    // And who is on other servers, if any.
    const std::optional<QString> roomKey = who.room ? std::optional<QString>(nameKey(*who.room)) : std::nullopt;
    m_core.membersElsewhere(session, roomKey,
                     [this, list, id, everyone = !who.room](Session &later, const QList<ChatCore::RemoteMember> &remote) {
                         MemberList all = list;
                         for (const ChatCore::RemoteMember &other : remote)
                             all.members.append(other.nick);
                         if (everyone && !remote.isEmpty())
                             all.members.sort(Qt::CaseInsensitive);
                         m_core.reply(later, all, id);
                     });
}

void Rooms::onHistory(Session &session, const GetHistory &request, const QJsonValue &id)
{
    // The page must include messages accepted in this pass.
    m_core.commitBeforeRead();
    const MessageStore::HistoryQuery query{request.before, request.after,
                                           request.limit.value_or(Defaults::HistoryPage), request.changedAfter};
    const QString key = nameKey(request.room);
    if (Room *open = m_core.findRoom(key)) {
        if (!mayReadHistory(session, open, id))
            return;
        const QString name = open->name;
        m_core.offloadToStore<QList<ChatMessage>>(
                session, [this, key, name, query] { return m_core.messages().history(key, name, query); },
                [this, name, newest = !request.after && !request.changedAfter, id](Session &later,
                                                                                     const QList<ChatMessage> &page) {
                    QList<ChatMessage> fitted = asSeenBy(later.nickKey, page);
                    const bool cut = fitPage(fitted, newest);
                    m_core.reply(later, HistoryPage{name, fitted, moreIf(cut)}, id);
                });
        return;
    }
    // A room nobody here is in: its name, modes and bans come from the
    // store with the page.
    using Read = std::pair<Room, QList<ChatMessage>>;
    m_core.offloadToStore<Read>(
            session,
            [this, key, name = request.room, query] {
                Room room;
                room.key = key;
                room.name = name;
                m_core.readRoom(room, false);
                return Read{room, m_core.messages().history(key, room.name, query)};
            },
            [this, newest = !request.after && !request.changedAfter, id](Session &later, const Read &read) {
                Room room = read.first;
                if (!mayReadHistory(later, &room, id))
                    return;
                QList<ChatMessage> fitted = asSeenBy(later.nickKey, read.second);
                const bool cut = fitPage(fitted, newest);
                m_core.reply(later, HistoryPage{room.name, fitted, moreIf(cut)}, id);
            });
}

bool Rooms::mayReadHistory(Session &session, Room *room, const QJsonValue &id)
{
    const bool closed = room->modes.inviteOnly || !room->modes.key.isEmpty();
    if (closed && !session.rooms.contains(room)) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("the history of %1 is for its members").arg(room->name),
                  id);
        return false;
    }
    if (const Room::Ban *ban = m_moderation.banFor(session, room)) {
        m_core.sendError(session, ErrorCode::Banned, m_moderation.bannedMessage(room, *ban), id);
        return false;
    }
    return true;
}
