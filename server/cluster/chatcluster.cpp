// ChatService in cluster mode: what several servers on one PostgreSQL and
// one Redis do to behave as one chat (docs/server.md, "Cluster mode").
//
// - Room messages are numbered by the database at the commit. Each server
//   then publishes the stored message on the room's channel and delivers it
//   to its own members; the others deliver what they hear, in seq order. A
//   server remembers the last seq it delivered in each room (Room::lastSeq)
//   and fills any gap from the database, so its members never see a hole or
//   a duplicate, whatever Redis loses.
// - Events (joins, leaves, nicks, topics, presence, moderation) go on one
//   channel with the rooms they concern; a server passes them to its members
//   of those rooms.
// - Who is where (nick leases, members, presence): clusterpresence.cpp.

#include "chatservice.h"

#include "accountstore.h"
#include "clusterbus.h"
#include "logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

using namespace Confab::Protocol;

namespace {

const QByteArray EventsChannel = QByteArrayLiteral("confab:events");
const QByteArray RoomChannelPrefix = QByteArrayLiteral("confab:room:");
// How often each room's last seq is compared with the database's: the
// backstop for a lost notice that no later message reveals.
constexpr int CatchUpIntervalMs = 2000;
// At most this many messages are read per query when filling a gap.
constexpr int FillPage = 500;
// How long a message past a gap waits for the missing ones to be heard
// before they are read from the database.
constexpr int GapWaitMs = 100;

// A notice on the bus: a JSON header line, then the frame as clients get it
// as a line of its own (some notices have none).
QByteArray notice(const QJsonObject &header, const QByteArray &frame)
{
    QByteArray payload = QJsonDocument(header).toJson(QJsonDocument::Compact);
    payload += '\n';
    if (!frame.isEmpty()) {
        payload += frame;
        payload += '\n';
    }
    return payload;
}

} // namespace

void ChatService::joinCluster(ClusterBus *bus, int nickLeaseMs)
{
    m_cluster = bus;
    m_nickLeaseMs = nickLeaseMs;
    m_serverId = QUuid::createUuid().toByteArray(QUuid::Id128).left(12);
    connect(bus, &ClusterBus::message, this, &ChatService::onClusterMessage);
    connect(bus, &ClusterBus::subscribed, this, [this](const QByteArray &channel) {
        // Messages stored before the subscription took effect were heard by
        // nobody here.
        if (channel.startsWith(RoomChannelPrefix))
            catchUpRooms({QString::fromUtf8(channel.mid(RoomChannelPrefix.size()))});
    });
    connect(bus, &ClusterBus::connectedChanged, this, [this](bool connected) {
        if (!connected)
            return;
        QList<QString> keys;
        for (const auto &[key, room] : m_rooms)
            keys.append(key);
        catchUpRooms(keys);
        // Leases first (one connection: Redis runs them in this order), so
        // that what is announced counts at once.
        renewLeases();
        announceEveryone();
    });
    bus->subscribe(EventsChannel);
    bus->subscribe(serverChannel(m_serverId));
    for (const auto &[key, room] : m_rooms)
        bus->subscribe(roomChannel(key));

    m_leaseTimer.setInterval(qMax(500, nickLeaseMs / 3));
    connect(&m_leaseTimer, &QTimer::timeout, this, &ChatService::renewLeases);
    m_leaseTimer.start();
    m_catchUpTimer.setInterval(CatchUpIntervalMs);
    connect(&m_catchUpTimer, &QTimer::timeout, this, [this] {
        QList<QString> keys;
        for (const auto &[key, room] : m_rooms)
            keys.append(key);
        catchUpRooms(keys, true);
    });
    m_catchUpTimer.start();
    m_gapTimer.setInterval(GapWaitMs / 2);
    connect(&m_gapTimer, &QTimer::timeout, this, &ChatService::fillOldGaps);
    qCInfo(lcCluster).noquote() << "cluster mode: this server is" << m_serverId << "- nick leases last"
                                << nickLeaseMs / 1000 << "s";
}

QByteArray ChatService::roomChannel(const QString &roomKey)
{
    return RoomChannelPrefix + roomKey.toUtf8();
}

QByteArray ChatService::leaseKey(const QString &nickKey)
{
    return QByteArrayLiteral("confab:nick:") + nickKey.toUtf8();
}

void ChatService::shareWithCluster(const QStringList &roomKeys, const QByteArray &frame, const QJsonObject &note)
{
    if (!m_cluster || roomKeys.isEmpty())
        return;
    QJsonObject header = note;
    header.insert(QStringLiteral("rooms"), QJsonArray::fromStringList(roomKeys));
    publishNote(header, frame);
}

void ChatService::publishNote(QJsonObject note, const QByteArray &frame, const QByteArray &server)
{
    if (!m_cluster)
        return;
    note.insert(QStringLiteral("s"), QString::fromLatin1(m_serverId));
    m_cluster->publish(server.isEmpty() ? EventsChannel : serverChannel(server), notice(note, frame));
}

void ChatService::shareAccount(const QString &accountKey)
{
    if (!m_cluster)
        return;
    const QJsonObject header{{QStringLiteral("s"), QString::fromLatin1(m_serverId)},
                             {QStringLiteral("account"), accountKey}};
    m_cluster->publish(EventsChannel, notice(header, QByteArray()));
}

void ChatService::listenToRoom(const QString &roomKey)
{
    if (m_cluster)
        m_cluster->subscribe(roomChannel(roomKey));
}

void ChatService::numberAtCommit(Delivery &delivery, Room *room, const ChatMessage &message, const QString &updatedBy)
{
    if (!m_cluster)
        return;
    delivery.numbered = Delivery::Numbered::Update;
    delivery.room = room;
    delivery.message = message;
    delivery.updatedBy = updatedBy;
    delivery.clusterRooms = {room->key};
}

void ChatService::numberAtCommit(Delivery &delivery, const PrivateMessage &message, bool waiting,
                                 const std::optional<RemoteMember> &remote, const QString &pair)
{
    if (!m_cluster)
        return;
    delivery.numbered = Delivery::Numbered::Private;
    delivery.privateMessage = message;
    delivery.privateWaiting = waiting;
    if (remote) {
        delivery.remoteRecipient = {remote->server, nameKey(remote->nick)};
        if (!remote->accountKey.isEmpty())
            delivery.remoteAccountPair = pair;
    }
}

void ChatService::closeRoom(Room *room)
{
    if (m_cluster)
        m_cluster->unsubscribe(roomChannel(room->key));
    m_gaps.remove(room->key);
    m_rooms.erase(room->key);
}

void ChatService::onClusterMessage(const QByteArray &channel, const QByteArray &payload)
{
    if (m_commitInFlight && channel.startsWith(RoomChannelPrefix)) {
        // Delivering it now could mean reading from the database, ahead of
        // the report of this server's own commit, messages that commit
        // holds: they would go out twice, or out of order.
        m_heardDuringCommit.append({channel, payload});
        return;
    }
    if (m_reloading && !channel.startsWith(RoomChannelPrefix)) {
        // After the moderation being read for the event before, which this
        // one may depend on (a kick by someone just made an op, an
        // invitation after an unban).
        m_heardDuringReload.append({channel, payload});
        return;
    }
    const qsizetype split = payload.indexOf('\n');
    if (split < 0)
        return;
    const QJsonObject header = QJsonDocument::fromJson(payload.left(split)).object();
    if (header.value(QLatin1String("s")).toString().toLatin1() == m_serverId)
        return; // its own, delivered here already
    if (header.contains(QLatin1String("account"))) {
        m_accounts->noteAccount(header.value(QLatin1String("account")).toString());
        return;
    }
    // The frame, if any, is a line of its own (see notice()).
    QByteArray frame = payload.mid(split + 1);
    if (!frame.isEmpty() && !frame.endsWith('\n'))
        return;
    frame.chop(1);
    if (header.contains(QLatin1String("to"))) {
        // For someone here: a private message stored by the sender's server,
        // a typing notice, an invitation.
        Session *recipient = m_users.value(header.value(QLatin1String("to")).toString());
        if (!recipient) {
            // Gone since the sender's server looked: an account gets it at
            // its next login, as if it had been offline all along.
            if (header.contains(QLatin1String("pair"))) {
                const QString pair = header.value(QLatin1String("pair")).toString();
                const qint64 seq = qint64(header.value(QLatin1String("seq")).toDouble());
                m_store->offload(this, [this, pair, seq] { m_store->keepWaiting(pair, seq); }, [] {});
            }
            return;
        }
        if (header.contains(QLatin1String("invite"))) {
            m_roomModeration.invitations().add(header.value(QLatin1String("invite")).toString(),
                              header.value(QLatin1String("user")).toString());
        }
        if (!frame.isEmpty())
            deliver(plainDelivery({recipient}, frame));
        return;
    }
    if (header.contains(QLatin1String("reader"))) {
        // A read marker of an account that may be logged in here too.
        const QString account = header.value(QLatin1String("reader")).toString();
        const QString conversation = header.value(QLatin1String("conversation")).toString();
        const qint64 seq = qint64(header.value(QLatin1String("seq")).toDouble());
        QList<Session *> sessions;
        for (Session *user : std::as_const(m_users)) {
            if (user->accountKey == account) {
                user->readMarkers.insert(conversation, qMax(user->readMarkers.value(conversation), seq));
                sessions.append(user);
            }
        }
        if (!sessions.isEmpty() && !frame.isEmpty())
            deliver(plainDelivery(sessions, frame));
        return;
    }
    if (header.value(QLatin1String("serverBans")).toBool()) {
        reloadThen({QString()}, [this, header] {
            QString error;
            if (const auto mask = Mask::parse(header.value(QLatin1String("ban")).toString(), &error))
                m_serverBans.enforce(*mask, header.value(QLatin1String("reason")).toString());
        });
        return;
    }

    // Only the rooms open here matter; the rest is not even decoded.
    QList<Room *> rooms;
    if (channel.startsWith(RoomChannelPrefix)) {
        if (Room *room = findRoom(QString::fromUtf8(channel.mid(RoomChannelPrefix.size()))))
            rooms.append(room);
    } else {
        for (const QJsonValue &key : header.value(QLatin1String("rooms")).toArray()) {
            if (Room *room = findRoom(key.toString()))
                rooms.append(room);
        }
    }
    if (rooms.isEmpty())
        return;
    if (!channel.startsWith(RoomChannelPrefix)) {
        onClusterEvent(header, rooms, frame);
        return;
    }
    auto decoded = decode(frame, Sender::Server);
    if (!std::holds_alternative<Envelope>(decoded)) {
        qCWarning(lcCluster) << "a notice from another server that this one cannot read:" << payload.left(200);
        return;
    }
    if (const auto *said = std::get_if<ChatMessage>(&std::get<Envelope>(decoded).message)) {
        ChatMessage stored = *said;
        stored.room = rooms.first()->name;
        deliverInOrder(rooms.first(), stored);
    }
}

void ChatService::onClusterEvent(const QJsonObject &header, const QList<Room *> &rooms, const QByteArray &frame)
{
    // A change of moderation: what the store now says, before the event
    // that tells of it (read where the commits run; the events after it
    // wait).
    if (header.value(QLatin1String("reload")).toBool()) {
        QStringList keys;
        for (Room *room : rooms)
            keys.append(room->key);
        reloadThen(keys, [this, header, keys, frame] {
            QList<Room *> open;
            for (const QString &key : keys) {
                if (Room *room = findRoom(key))
                    open.append(room);
            }
            QJsonObject loaded = header;
            loaded.remove(QStringLiteral("reload"));
            if (!open.isEmpty())
                onClusterEvent(loaded, open, frame);
        });
        return;
    }
    if (header.contains(QLatin1String("ban"))) {
        QString error;
        const auto mask = Mask::parse(header.value(QLatin1String("ban")).toString(), &error);
        if (mask) {
            m_roomModeration.enforceRoomBan(rooms.first(), *mask, Rank(header.value(QLatin1String("rank")).toInt()),
                           header.value(QLatin1String("by")).toString(),
                           header.value(QLatin1String("reason")).toString());
        }
        return;
    }
    if (frame.isEmpty())
        return;
    auto decoded = decode(frame, Sender::Server);
    if (!std::holds_alternative<Envelope>(decoded)) {
        qCWarning(lcCluster) << "a notice from another server that this one cannot read:" << frame.left(200);
        return;
    }
    const Message &message = std::get<Envelope>(decoded).message;

    // To the members here of the rooms it concerns, once each.
    QList<Session *> audience;
    QSet<Session *> seen;
    for (Room *room : rooms) {
        if (const auto *topic = std::get_if<TopicChanged>(&message))
            room->topic = topic->topic;
        if (const auto *updated = std::get_if<MessageUpdated>(&message)) {
            room->lastRev = qMax(room->lastRev, updated->message.rev.value_or(0));
            for (ChatMessage &recent : room->recent) {
                if (recent.seq == updated->message.seq) {
                    recent = updated->message;
                    recent.room = room->name;
                }
            }
        }
        for (Session *member : std::as_const(room->members)) {
            if (!seen.contains(member)) {
                seen.insert(member);
                audience.append(member);
            }
        }
    }
    if (!audience.isEmpty()) {
        Delivery delivery = plainDelivery(audience, frame);
        if (const auto *updated = std::get_if<MessageUpdated>(&message); updated && !rooms.isEmpty()) {
            // Whole from the other server; each reader here sees it its way.
            MessageUpdated event = *updated;
            event.message.room = rooms.first()->name;
            delivery.update = event;
        }
        deliver(std::move(delivery));
    }
    // A kick of someone here: out of the room, once everyone was told.
    if (header.contains(QLatin1String("kick"))) {
        Session *kicked = m_users.value(header.value(QLatin1String("kick")).toString());
        const auto *event = std::get_if<Kicked>(&message);
        if (kicked && event && kicked->rooms.contains(rooms.first()))
            removeFromRoom(*kicked, rooms.first(), event->reason, false);
    }
}

void ChatService::sendNumbered(Delivery &delivery, const MessageStore::Numbers &numbers, qsizetype *messages,
                               qsizetype *updates, qsizetype *privates)
{
    switch (delivery.numbered) {
    case Delivery::Numbered::RoomMessage: {
        ChatMessage message = *delivery.message;
        message.seq = numbers.messageSeqs.value((*messages)++);
        delivery.frame = encode(message);
        if (delivery.requester)
            delivery.requesterFrame = encode(message, delivery.authorId);
        ++serverMetrics().messagesStored;
        const QJsonObject header{{QStringLiteral("s"), QString::fromLatin1(m_serverId)}};
        m_cluster->publish(roomChannel(delivery.room->key), notice(header, delivery.frame));
        deliverInOrder(delivery.room, message, &delivery);
        return;
    }
    case Delivery::Numbered::Update: {
        ChatMessage message = *delivery.message;
        if (*updates < numbers.updated.size()) {
            // As stored, merged with what other servers changed meanwhile.
            const QString roomName = message.room;
            message = numbers.updated.at(*updates);
            message.room = roomName;
        }
        message.rev = numbers.updateRevs.value((*updates)++);
        Room *room = delivery.room;
        room->lastRev = qMax(room->lastRev, *message.rev);
        for (ChatMessage &recent : room->recent) {
            if (recent.seq == message.seq)
                recent = message;
        }
        const MessageUpdated event{delivery.updatedBy, message};
        delivery.frame = encode(event); // whole, for the other servers
        delivery.update = event;           // as each reader here sees it
        break;
    }
    case Delivery::Numbered::Private: {
        PrivateMessage message = *delivery.privateMessage;
        message.seq = numbers.privateSeqs.value((*privates)++);
        delivery.frame = encode(message);
        if (delivery.privateWaiting)
            message.waiting = true;
        delivery.requesterFrame = encode(message, delivery.authorId);
        if (delivery.remoteRecipient) {
            QJsonObject header{{QStringLiteral("s"), QString::fromLatin1(m_serverId)},
                               {QStringLiteral("to"), delivery.remoteRecipient->second}};
            if (!delivery.remoteAccountPair.isEmpty()) {
                header.insert(QStringLiteral("pair"), delivery.remoteAccountPair);
                header.insert(QStringLiteral("seq"), message.seq.value_or(0));
            }
            m_cluster->publish(serverChannel(delivery.remoteRecipient->first), notice(header, delivery.frame));
        }
        break;
    }
    case Delivery::Numbered::No:
        break;
    }
    send(delivery);
}

void ChatService::deliverInOrder(Room *room, const ChatMessage &message, const Delivery *own)
{
    if (message.seq <= room->lastSeq) {
        // Delivered here already (heard twice, or read from the database
        // first): only the author's answer is still owed.
        if (own && own->requester)
            deliver(plainDelivery({own->requester}, own->requesterFrame));
        return;
    }
    if (message.seq > room->lastSeq + 1) {
        RoomGap &gap = m_gaps[room->key];
        if (gap.ahead.isEmpty() && !gap.filling)
            gap.sinceMs = nowMs();
        HeldMessage held{message, own ? own->frame : encode(message), nullptr, 0, QByteArray()};
        if (own && own->requester) {
            held.author = own->requester->connection;
            held.authorSerial = own->requester->serial;
            held.authorFrame = own->requesterFrame;
        }
        gap.ahead.insert(message.seq, held);
        if (!m_gapTimer.isActive())
            m_gapTimer.start();
        return;
    }
    sendRoomMessage(room, message, own);
    sendWaitingInOrder(room);
}

void ChatService::sendWaitingInOrder(Room *room)
{
    const auto gap = m_gaps.find(room->key);
    if (gap == m_gaps.end())
        return;
    QMap<qint64, HeldMessage> &ahead = gap->ahead;
    while (!ahead.isEmpty() && ahead.firstKey() <= room->lastSeq + 1) {
        const HeldMessage held = ahead.take(ahead.firstKey());
        Delivery own = plainDelivery({}, held.frame);
        const auto author = held.author ? m_sessions.find(held.author) : m_sessions.end();
        if (author != m_sessions.end() && author->second->serial == held.authorSerial) {
            own.requester = author->second.get();
            own.requesterFrame = held.authorFrame;
        }
        if (held.message.seq <= room->lastSeq) {
            if (own.requester)
                deliver(plainDelivery({own.requester}, own.requesterFrame));
            continue;
        }
        sendRoomMessage(room, held.message, &own);
    }
    if (!ahead.isEmpty())
        gap->sinceMs = nowMs(); // a new gap, further on
    else if (!gap->filling && gap->fillTo <= room->lastSeq)
        m_gaps.erase(gap);
}

void ChatService::sendRoomMessage(Room *room, const ChatMessage &message, const Delivery *own)
{
    Delivery delivery = plainDelivery(room->members, own ? own->frame : encode(message));
    if (own && own->requester) {
        delivery.requester = own->requester;
        delivery.requesterFrame = own->requesterFrame;
    }
    serverMetrics().messagesDelivered += quint64(room->members.size());
    room->lastSeq = qMax(room->lastSeq, message.seq);
    room->recent.append(message);
    if (room->recent.size() > Defaults::HistoryOnJoin)
        room->recent.removeFirst();
    // At once, never behind what waits for this server's next commit: that
    // is numbered after everything stored so far, this message included
    // (and nothing comes here while a commit of this server is under way,
    // see onClusterMessage()). Put behind it, a message heard meanwhile
    // would reach members after higher seqs.
    send(delivery);
}

void ChatService::fillRoom(Room *room, qint64 upTo)
{
    RoomGap &gap = m_gaps[room->key];
    gap.fillTo = qMax(gap.fillTo, upTo);
    if (gap.filling || room->lastSeq >= gap.fillTo)
        return;
    gap.filling = true;
    const QString key = room->key;
    const QString name = room->name;
    MessageStore::HistoryQuery query;
    query.after = room->lastSeq;
    query.limit = int(qMin<qint64>(FillPage, gap.fillTo - room->lastSeq));
    auto page = std::make_shared<QList<ChatMessage>>();
    // After this server's commits under way, so a fill never sends one of
    // them ahead of its report.
    m_store->offload(
            this, [this, key, name, query, page] { *page = m_store->history(key, name, query); },
            [this, key, page] {
                Room *room = findRoom(key);
                const auto gap = m_gaps.find(key);
                if (!room || gap == m_gaps.end())
                    return; // closed meanwhile
                gap->filling = false;
                if (!page->isEmpty())
                    qCDebug(lcCluster) << "filled" << room->name << "from" << page->first().seq << "to"
                                       << page->last().seq;
                for (const ChatMessage &message : std::as_const(*page)) {
                    if (message.seq <= room->lastSeq)
                        continue; // heard meanwhile
                    if (message.seq != room->lastSeq + 1)
                        break;
                    sendRoomMessage(room, message, nullptr);
                }
                const bool progressed = !page->isEmpty();
                sendWaitingInOrder(room);
                // More than a page, or held messages still past a gap.
                if (progressed && m_gaps.contains(key)) {
                    const RoomGap &left = m_gaps[key];
                    const qint64 upTo = left.ahead.isEmpty() ? left.fillTo : left.ahead.firstKey() - 1;
                    if (upTo > room->lastSeq)
                        fillRoom(room, upTo);
                }
            });
}

void ChatService::fillOldGaps()
{
    const qint64 now = nowMs();
    bool waiting = false;
    for (auto it = m_gaps.begin(); it != m_gaps.end(); ++it) {
        if (it->ahead.isEmpty() || it->filling)
            continue;
        waiting = true;
        Room *room = findRoom(it.key());
        if (room && now - it->sinceMs >= GapWaitMs)
            fillRoom(room, it->ahead.firstKey() - 1);
    }
    if (!waiting)
        m_gapTimer.stop();
}

void ChatService::reloadThen(const QStringList &roomKeys, std::function<void()> then)
{
    m_reloading = true;
    auto read = std::make_shared<QHash<QString, Room>>();
    m_store->offload(
            this,
            [this, roomKeys, read] {
                for (const QString &key : roomKeys) {
                    Room rules;
                    rules.key = key;
                    if (key.isEmpty())
                        rules.bans = loadBans(QString());
                    else
                        loadModeration(rules);
                    read->insert(key, rules);
                }
            },
            [this, read, then] {
                for (auto it = read->cbegin(); it != read->cend(); ++it) {
                    if (it.key().isEmpty()) {
                        m_serverBans.setBans(it->bans); // the server's, stored under ""
                    } else if (Room *room = findRoom(it.key())) {
                        room->roles = it->roles;
                        room->mutes = it->mutes;
                        room->modes = it->modes;
                        room->bans = it->bans;
                    }
                }
                m_reloading = false;
                then();
                // What waited, in order, until one of them reloads again.
                while (!m_reloading && !m_heardDuringReload.isEmpty()) {
                    const auto [channel, payload] = m_heardDuringReload.takeFirst();
                    onClusterMessage(channel, payload);
                }
            });
}

void ChatService::heardDuringCommit()
{
    const auto heard = std::exchange(m_heardDuringCommit, {});
    for (const auto &[channel, payload] : heard)
        onClusterMessage(channel, payload);
}

void ChatService::catchUpRooms(const QList<QString> &roomKeys, bool periodic)
{
    // The periodic check never queues behind one still under way (a slow
    // database); the others are one room's, or after a Redis restart.
    if (roomKeys.isEmpty() || m_shuttingDown || (periodic && m_catchingUp))
        return;
    m_catchingUp = m_catchingUp || periodic;
    auto stored = std::make_shared<QHash<QString, qint64>>();
    m_store->offload(
            this, [this, roomKeys, stored] { *stored = m_store->lastSeqs(roomKeys); },
            [this, stored, periodic] {
                if (periodic)
                    m_catchingUp = false;
                for (auto it = stored->cbegin(); it != stored->cend(); ++it) {
                    Room *room = findRoom(it.key());
                    if (room && it.value() > room->lastSeq) {
                        qCDebug(lcCluster) << "catching up" << room->name << "from" << room->lastSeq + 1 << "to"
                                           << it.value();
                        fillRoom(room, it.value());
                    }
                }
            });
}
