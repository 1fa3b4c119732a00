// Rooms open in memory: found, opened (read from the store), joined rooms
// looked up, a member removed, a room closed when empty. Part of
// ChatService (chatservice.h): the rooms are the chat core's, which every
// feature reads; the requests about them are the Rooms feature's
// (features/rooms.h).

#include "chatservice.h"
#include "chatinternal.h"

#include "messagestore.h"
#include "names.h"

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

QList<Room *> ChatService::openRooms() const
{
    QList<Room *> rooms;
    rooms.reserve(qsizetype(m_rooms.size()));
    for (const auto &[key, room] : m_rooms)
        rooms.append(room.get());
    return rooms;
}
