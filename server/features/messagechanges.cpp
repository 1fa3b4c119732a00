// Edits, deletions and reactions of room messages (protocol section 18).

#include "messagechanges.h"
#include "chatinternal.h"

#include "reactions.h"

#include "messagestore.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

void MessageChanges::changeMessage(Session &session, const QString &roomName, qint64 seq, Change change,
                                   const QJsonValue &id, Then then)
{
    Room *room = m_core.joinedRoom(session, roomName);
    if (!room) {
        m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(roomName), id);
        return;
    }
    if (change != Change::Delete && m_core.muteFor(session, room)) {
        m_core.sendError(session, ErrorCode::Muted, QStringLiteral("you are muted in %1").arg(room->name), id);
        return;
    }
    MessageStore &store = m_core.messages();
    if (!store.commitsInBackground()) {
        // The message may be in the batch that is not committed yet.
        m_core.commitAndDeliver();
        apply(session, room, store.message(room->key, room->name, seq), seq, change, id, then);
        return;
    }
    const QString key = room->key;
    const QString name = room->name;
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    session.busy = true;
    auto turn = [this, &store, key, name, roomName, connection, serial, seq, change, id, then] {
        auto stored = std::make_shared<std::optional<MessageStore::StoredMessage>>();
        // After the commit of the change before (pending until then).
        m_core.storeWork([&store, stored, key, name, seq] { *stored = store.message(key, name, seq); },
                         [=] {
                             m_core.resumeAfterOffload(connection, serial, [&](Session &later) {
                                 if (Room *now = m_core.joinedRoom(later, roomName))
                                     apply(later, now, *stored, seq, change, id, then);
                                 else
                                     m_core.sendError(later, ErrorCode::NotInRoom,
                                                      QStringLiteral("you are not in %1").arg(roomName), id);
                             });
                             next(key);
                         });
    };
    const auto changing = m_changing.find(key);
    if (changing != m_changing.end()) {
        changing->append(turn);
        return;
    }
    m_changing.insert(key, {});
    turn();
}

void MessageChanges::next(const QString &roomKey)
{
    const auto changing = m_changing.find(roomKey);
    if (changing == m_changing.end())
        return;
    if (changing->isEmpty()) {
        m_changing.erase(changing);
        return;
    }
    changing->takeFirst()();
}

void MessageChanges::apply(Session &session, Room *room, const std::optional<MessageStore::StoredMessage> &stored,
                           qint64 seq, Change change, const QJsonValue &id, const Then &then)
{
    if (!stored || stored->message.deleted.value_or(false)) {
        m_core.sendError(session, ErrorCode::NoSuchMessage,
                         stored ? QStringLiteral("message %1 in %2 was deleted").arg(seq).arg(room->name)
                         : QStringLiteral("there is no message %1 in %2").arg(seq).arg(room->name),
                         id);
        return;
    }
    // Whose it is: an account's, or a guest's for as long as the guest has
    // kept the nick it was said under (so a later user of the nick cannot).
    const ChatMessage &message = stored->message;
    const bool own = stored->accountKey.isEmpty()
                             ? nameKey(message.from) == session.nickKey && message.ts >= session.nickSinceMs
                             : stored->accountKey == session.accountKey;
    const bool mayModerate = change == Change::Delete && m_core.rankIn(session, room) >= Rank::Op;
    if (change != Change::React && !own && !mayModerate) {
        m_core.sendError(session, ErrorCode::NotPermitted,
                         change == Change::Edit ? QStringLiteral("you can only edit your own messages")
                                                : QStringLiteral("you can only delete your own messages"),
                         id);
        return;
    }
    then(session, room, message, own);
}

void MessageChanges::store(Session &session, Room *room, ChatMessage message, const QJsonValue &id,
                           const MessageStore::Change &change)
{
    m_core.scheduleCommit(room);
    message.rev = ++room->lastRev;
    m_core.messages().updateMessage(room->key, message, change);
    for (ChatMessage &recent : room->recent) {
        if (recent.seq == message.seq)
            recent = message;
    }
    // Like a message: sent once stored, or storage_failed to the author.
    const MessageUpdated event{session.nick, message};
    ChatCore::Delivery delivery = ChatCore::plainDelivery(room->members, encode(event));
    delivery.update = event;
    m_core.numberAtCommit(delivery, room, message, session.nick);
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    if (hasId(id)) {
        delivery.requester = &session;
        delivery.requesterFrame = encode(event, id);
    }
    m_core.deliver(std::move(delivery));
}

void MessageChanges::onEdit(Session &session, const EditMessage &request, const QJsonValue &id)
{
    changeMessage(session, request.room, request.seq, Change::Edit, id,
                  [this, text = request.text, id](Session &later, Room *room, ChatMessage message, bool) {
                      message.text = text;
                      message.edited = wallClockMs();
                      store(later, room, message, id, MessageStore::Change{MessageStore::Change::Edit, {}, {}});
                  });
}

void MessageChanges::onDelete(Session &session, const DeleteMessage &request, const QJsonValue &id)
{
    changeMessage(session, request.room, request.seq, Change::Delete, id,
                  [this, seq = request.seq, id](Session &later, Room *room, ChatMessage message, bool own) {
                      // What was said goes; that something was said stays, so seq has no hole.
                      const QString from = message.from;
                      message.text.clear();
                      message.deleted = true;
                      message.action.reset();
                      message.edited.reset();
                      message.reactions.reset();
                      // An op removing someone else's message is moderation; removing one's
                      // own (an account's, under any nick it had) is not.
                      if (!own)
                          m_core.audit(later, room, QStringLiteral("delete"), from, QStringLiteral("message %1").arg(seq));
                      store(later, room, message, id, {});
                  });
}

void MessageChanges::onReact(Session &session, const React &request, const QJsonValue &id)
{
    changeMessage(session, request.room, request.seq, Change::React, id,
                  [this, emoji = request.emoji, id](Session &later, Room *room, ChatMessage message, bool) {
                      react(later, room, message, emoji, id);
                  });
}

void MessageChanges::react(Session &session, Room *room, ChatMessage message, const QString &emoji, const QJsonValue &id)
{
    if (!toggleReaction(message.reactions, emoji, session.nick)) {
        m_core.sendError(session, ErrorCode::BadRequest,
                         QStringLiteral("a message has at most %1 different reactions").arg(Defaults::MaxReactionKinds), id);
        return;
    }
    store(session, room, message, id, MessageStore::Change{MessageStore::Change::React, emoji, session.nick});
}
