// ChatService in cluster mode: who is where. A nick is a lease in Redis
// (SET NX PX), renewed while its user is here; each server keeps in Redis
// who of its users is in which room, with their presence, so that member
// lists, `who`, whispers and typing reach users on other servers.

#include "chatservice.h"

#include "clusterbus.h"
#include "logging.h"
#include "names.h"

using namespace Confab::Protocol;

void ChatService::renewLeases()
{
    if (!m_cluster->isConnected() || m_users.isEmpty())
        return;
    QList<QByteArray> keys;
    keys.reserve(m_users.size());
    for (auto it = m_users.cbegin(); it != m_users.cend(); ++it) {
        keys.append(leaseKey(it.key()));
        m_cluster->call({"PEXPIRE", presenceKey(it.key()), QByteArray::number(m_nickLeaseMs)});
    }
    m_cluster->renew(keys, m_serverId, m_nickLeaseMs, [](const QByteArray &key) {
        // Only after Redis forgot the lease and another server gave the
        // nick out meanwhile: two users now share it until one leaves.
        qCWarning(lcCluster) << "another server holds the lease of" << key << "now";
    });
}

void ChatService::claimNick(Session &session, const QString &nick, const QJsonValue &id,
                            std::function<void(Session &)> granted)
{
    if (!m_cluster) {
        granted(session); // m_users alone says who has a nick
        return;
    }
    const QString key = nameKey(nick);
    m_claiming.insert(key);
    session.busy = true;
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    m_cluster->claim(leaseKey(key), m_serverId, m_nickLeaseMs,
                     [this, key, nick, id, connection, serial, granted](ClusterBus::Claim claim) {
                         m_claiming.remove(key);
                         const auto it = m_sessions.find(connection);
                         const bool here = it != m_sessions.end() && it->second->serial == serial
                                           && !connection->isClosing();
                         if (claim == ClusterBus::Claim::Granted && !here) {
                             m_cluster->release(leaseKey(key), m_serverId);
                             return;
                         }
                         resumeAfterOffload(connection, serial, [=](Session &later) {
                             if (claim == ClusterBus::Claim::Granted) {
                                 granted(later);
                             } else if (claim == ClusterBus::Claim::Refused) {
                                 sendError(later, ErrorCode::NickTaken, QStringLiteral("%1 is taken").arg(nick), id);
                             } else {
                                 sendError(later, ErrorCode::StorageFailed,
                                           QStringLiteral("the server cannot check nicks with the rest of the "
                                                          "cluster right now; try again in a moment"),
                                           id);
                             }
                         });
                     });
}

// ------------------------------------------------------------ who is where

QByteArray ChatService::presenceKey(const QString &nickKey)
{
    return QByteArrayLiteral("confab:user:") + nickKey.toUtf8();
}

QByteArray ChatService::membersKey(const QString &roomKey)
{
    return QByteArrayLiteral("confab:members:") + roomKey.toUtf8();
}

QByteArray ChatService::usersKey()
{
    return QByteArrayLiteral("confab:users");
}

QByteArray ChatService::presenceEntry(const QString &nickKey) const
{
    return m_serverId + '|' + nickKey.toUtf8();
}

const char *ChatService::membersScript()
{
    // KEYS[1]: a set of "server|nickkey"; ARGV[1]: the asking server, whose
    // own members it knows better. An entry whose server no longer holds the
    // nick's lease (the server died, the user left while Redis was away) is
    // dropped. Answers nick, account, away (nil: here) for each.
    return "local out = {} "
           "for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
           "  local bar = string.find(entry, '|', 1, true) "
           "  if bar then "
           "    local server = string.sub(entry, 1, bar - 1) "
           "    local key = string.sub(entry, bar + 1) "
           "    if redis.call('GET', 'confab:nick:' .. key) ~= server then "
           "      redis.call('SREM', KEYS[1], entry) "
           "    elseif server ~= ARGV[1] then "
           "      local user = redis.call('HMGET', 'confab:user:' .. key, 'nick', 'account', 'away') "
           "      if user[1] then "
           "        table.insert(out, user[1]) table.insert(out, user[2] or '') table.insert(out, user[3]) "
           "      end "
           "    end "
           "  end "
           "end "
           "return out";
}

void ChatService::announceUser(const Session &session)
{
    if (!m_cluster)
        return;
    const QByteArray key = presenceKey(session.nickKey);
    m_cluster->call({"HSET", key, "nick", session.nick.toUtf8(), "account", session.accountKey.toUtf8()});
    if (session.away())
        m_cluster->call({"HSET", key, "away", session.away()->toUtf8()});
    else
        m_cluster->call({"HDEL", key, "away"});
    m_cluster->call({"PEXPIRE", key, QByteArray::number(m_nickLeaseMs)});
    m_cluster->call({"SADD", usersKey(), presenceEntry(session.nickKey)});
}

void ChatService::announceMembership(const Session &session, Room *room, bool member)
{
    announceMembership(session.nick, room, member);
}

void ChatService::announceMembership(const QString &nick, Room *room, bool member)
{
    if (!m_cluster)
        return;
    m_cluster->call({member ? QByteArrayLiteral("SADD") : QByteArrayLiteral("SREM"), membersKey(room->key),
                     presenceEntry(nameKey(nick))});
    // For list: the rooms with members anywhere, by key, with their names
    // (roomsScript() drops the empty ones).
    if (member)
        m_cluster->call({"HSET", roomsKey(), room->key.toUtf8(), room->name.toUtf8()});
}

QByteArray ChatService::roomsKey()
{
    return QByteArrayLiteral("confab:rooms");
}

const char *ChatService::roomsScript()
{
    // ARGV[1]: the asking server, whose own members it counts itself.
    // Answers key, name, count for each room with members on other
    // servers; entries of servers that no longer hold the nick are dropped
    // as in membersScript(), and rooms nobody is in are forgotten.
    return "local out = {} "
           "local rooms = redis.call('HGETALL', 'confab:rooms') "
           "for i = 1, #rooms, 2 do "
           "  local members = 'confab:members:' .. rooms[i] "
           "  local count = 0 "
           "  for _, entry in ipairs(redis.call('SMEMBERS', members)) do "
           "    local bar = string.find(entry, '|', 1, true) "
           "    local server = bar and string.sub(entry, 1, bar - 1) "
           "    if not bar or redis.call('GET', 'confab:nick:' .. string.sub(entry, bar + 1)) ~= server then "
           "      redis.call('SREM', members, entry) "
           "    elseif server ~= ARGV[1] then "
           "      count = count + 1 "
           "    end "
           "  end "
           "  if redis.call('SCARD', members) == 0 then "
           "    redis.call('HDEL', 'confab:rooms', rooms[i]) "
           "  elseif count > 0 then "
           "    table.insert(out, rooms[i]) table.insert(out, rooms[i + 1]) table.insert(out, count) "
           "  end "
           "end "
           "return out";
}

QList<ChatService::RemoteRoom> ChatService::remoteRooms(const std::optional<QVariant> &answer)
{
    QList<RemoteRoom> rooms;
    if (!answer)
        return rooms; // Redis is away: the rooms here are all that is known
    const QVariantList fields = answer->toList();
    for (qsizetype i = 0; i + 2 < fields.size(); i += 3) {
        rooms.append(RemoteRoom{QString::fromUtf8(fields.at(i).toByteArray()),
                                QString::fromUtf8(fields.at(i + 1).toByteArray()), fields.at(i + 2).toInt()});
    }
    return rooms;
}

void ChatService::forgetUser(const QString &nickKey)
{
    if (!m_cluster)
        return;
    // The lease first: once `who` no longer names them, nobody finds them.
    m_cluster->release(leaseKey(nickKey), m_serverId, {presenceKey(nickKey)});
    m_cluster->call({"SREM", usersKey(), presenceEntry(nickKey)});
}

void ChatService::announceEveryone()
{
    for (const Session *user : std::as_const(m_users)) {
        announceUser(*user);
        for (Room *room : user->rooms)
            announceMembership(*user, room, true);
    }
}

QList<ChatService::RemoteMember> ChatService::remoteMembers(const std::optional<QVariant> &answer) const
{
    QList<RemoteMember> members;
    if (!answer)
        return members; // Redis is away: the members here are all that is known
    const QVariantList fields = answer->toList();
    for (qsizetype i = 0; i + 2 < fields.size(); i += 3) {
        const QVariant &away = fields.at(i + 2);
        members.append(RemoteMember{QString::fromUtf8(fields.at(i).toByteArray()),
                                    QString::fromUtf8(fields.at(i + 1).toByteArray()),
                                    away.isNull() ? std::nullopt
                                                  : std::optional<QString>(QString::fromUtf8(away.toByteArray())),
                                    QByteArray()});
    }
    return members;
}

void ChatService::askCluster(Session &session, const QList<QByteArray> &command,
                             std::function<void(Session &, const std::optional<QVariant> &)> then)
{
    session.busy = true;
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    m_cluster->call(command, [this, connection, serial, then](const std::optional<QVariant> &answer) {
        resumeAfterOffload(connection, serial, [&](Session &later) { then(later, answer); });
    });
}

void ChatService::whenClusterHasIt(Session &session, std::function<void(Session &)> then)
{
    if (!m_cluster) {
        then(session);
        return;
    }
    // Redis runs one connection's commands in order: once it answers this,
    // it has everything sent before.
    askCluster(session, {"PING"}, [then](Session &later, const std::optional<QVariant> &) { then(later); });
}

void ChatService::membersElsewhere(Session &session, const std::optional<QString> &roomKey,
                                   std::function<void(Session &, const QList<RemoteMember> &)> then)
{
    if (!m_cluster) {
        then(session, {});
        return;
    }
    const QByteArray key = roomKey ? membersKey(*roomKey) : usersKey();
    askCluster(session, {"EVAL", membersScript(), "1", key, m_serverId},
               [this, then](Session &later, const std::optional<QVariant> &answer) {
                   then(later, remoteMembers(answer));
               });
}

void ChatService::roomsElsewhere(Session &session, std::function<void(Session &, const QList<RemoteRoom> &)> then)
{
    if (!m_cluster) {
        then(session, {});
        return;
    }
    askCluster(session, {"EVAL", roomsScript(), "0", m_serverId},
               [then](Session &later, const std::optional<QVariant> &answer) { then(later, remoteRooms(answer)); });
}

void ChatService::forgetRemoteMember(Room *room, const Target &target)
{
    if (!m_cluster || !target.remote)
        return;
    // Out of the room's members in Redis at once, on this server's own
    // connection, so that what this server asks next sees it gone.
    m_cluster->call({"SREM", membersKey(room->key), target.remote->server + '|' + nameKey(target.nick()).toUtf8()});
}

const char *ChatService::whereScript()
{
    // With a third key (a room's members) and ARGV[1] (the nick key): a
    // fifth answer, 1 if the user is in that room.
    return "local server = redis.call('GET', KEYS[1]) "
           "if not server then return nil end "
           "local user = redis.call('HMGET', KEYS[2], 'nick', 'account', 'away') "
           "if not user[1] then return nil end "
           "local member = 0 "
           "if KEYS[3] and redis.call('SISMEMBER', KEYS[3], server .. '|' .. ARGV[1]) == 1 then member = 1 end "
           "return {server, user[1], user[2] or '', user[3] or false, member}";
}

void ChatService::findUser(Session &session, const QString &nick, const QString &roomKey,
                           std::function<void(Session &, const Target &)> then)
{
    const QString key = nameKey(nick);
    if (Session *local = m_users.value(key); local || !m_cluster) {
        Target target;
        target.local = local;
        then(session, target);
        return;
    }
    QList<QByteArray> command{"EVAL", whereScript(), roomKey.isEmpty() ? "2" : "3", leaseKey(key), presenceKey(key)};
    if (!roomKey.isEmpty())
        command << membersKey(roomKey) << key.toUtf8();
    askCluster(session, command, [this, key, then](Session &later, const std::optional<QVariant> &answer) {
        Target target;
        target.local = m_users.value(key); // perhaps here by now
        if (!target.local) {
            target.remote = remoteUser(answer);
            const QVariantList fields = answer ? answer->toList() : QVariantList();
            target.remoteInRoom = fields.size() > 4 && fields.at(4).toInt() == 1;
        }
        then(later, target);
    });
}

std::optional<ChatService::RemoteMember> ChatService::remoteUser(const std::optional<QVariant> &answer) const
{
    if (!answer || answer->isNull())
        return std::nullopt;
    const QVariantList fields = answer->toList();
    if (fields.size() < 4 || fields.at(0).toByteArray() == m_serverId)
        return std::nullopt; // gone from here meanwhile
    const QVariant &away = fields.at(3);
    return RemoteMember{QString::fromUtf8(fields.at(1).toByteArray()), QString::fromUtf8(fields.at(2).toByteArray()),
                        away.isNull() ? std::nullopt : std::optional<QString>(QString::fromUtf8(away.toByteArray())),
                        fields.at(0).toByteArray()};
}

QByteArray ChatService::serverChannel(const QByteArray &serverId)
{
    return QByteArrayLiteral("confab:server:") + serverId;
}
