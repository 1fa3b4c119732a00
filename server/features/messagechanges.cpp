// Edits, deletions and reactions of room messages (protocol section 18).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"

#include "reactions.h"

#include "messagestore.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

void ChatService::changeMessage(Session &session, const QString &roomName, qint64 seq, MessageChange change,
                                const QJsonValue &id, ChangeThen then)
{
    Room *room = joinedRoom(session, roomName);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(roomName), id);
        return;
    }
    if (change != MessageChange::Delete && muteFor(session, room)) {
        sendError(session, ErrorCode::Muted, QStringLiteral("you are muted in %1").arg(room->name), id);
        return;
    }
    if (!m_store->commitsInBackground()) {
        // The message may be in the batch that is not committed yet.
        commitAndDeliver();
        applyChange(session, room, m_store->message(room->key, room->name, seq), seq, change, id, then);
        return;
    }
    const QString key = room->key;
    const QString name = room->name;
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    session.busy = true;
    auto turn = [this, key, name, roomName, connection, serial, seq, change, id, then] {
        auto stored = std::make_shared<std::optional<MessageStore::StoredMessage>>();
        // After the commit of the change before (pending until then).
        afterAcceptedCommits([=] {
            m_store->offload(
                    this, [=] { *stored = m_store->message(key, name, seq); },
                    [=] {
                        resumeAfterOffload(connection, serial, [&](Session &later) {
                            if (Room *now = joinedRoom(later, roomName))
                                applyChange(later, now, *stored, seq, change, id, then);
                            else
                                sendError(later, ErrorCode::NotInRoom,
                                          QStringLiteral("you are not in %1").arg(roomName), id);
                        });
                        nextChange(key);
                    });
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

void ChatService::nextChange(const QString &roomKey)
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

void ChatService::applyChange(Session &session, Room *room, const std::optional<MessageStore::StoredMessage> &stored,
                              qint64 seq, MessageChange change, const QJsonValue &id, const ChangeThen &then)
{
    if (!stored || stored->message.deleted.value_or(false)) {
        sendError(session, ErrorCode::NoSuchMessage,
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
    const bool mayModerate = change == MessageChange::Delete && rankIn(session, room) >= Rank::Op;
    if (change != MessageChange::React && !own && !mayModerate) {
        sendError(session, ErrorCode::NotPermitted,
                  change == MessageChange::Edit ? QStringLiteral("you can only edit your own messages")
                                                : QStringLiteral("you can only delete your own messages"),
                  id);
        return;
    }
    then(session, room, message, own);
}

void ChatService::storeChange(Session &session, Room *room, ChatMessage message, const QJsonValue &id,
                              const MessageStore::Change &change)
{
    scheduleCommit(room);
    message.rev = ++room->lastRev;
    m_store->updateMessage(room->key, message, change);
    for (ChatMessage &recent : room->recent) {
        if (recent.seq == message.seq)
            recent = message;
    }
    // Like a message: sent once stored, or storage_failed to the author.
    const MessageUpdated event{session.nick, message};
    Delivery delivery = plainDelivery(room->members, encode(event));
    delivery.update = event;
    numberAtCommit(delivery, room, message, session.nick);
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    if (hasId(id)) {
        delivery.requester = &session;
        delivery.requesterFrame = encode(event, id);
    }
    deliver(std::move(delivery));
}

void ChatService::onEdit(Session &session, const EditMessage &request, const QJsonValue &id)
{
    changeMessage(session, request.room, request.seq, MessageChange::Edit, id,
                  [this, text = request.text, id](Session &later, Room *room, ChatMessage message, bool) {
                      message.text = text;
                      message.edited = wallClockMs();
                      storeChange(later, room, message, id, MessageStore::Change{MessageStore::Change::Edit, {}, {}});
                  });
}

void ChatService::onDelete(Session &session, const DeleteMessage &request, const QJsonValue &id)
{
    changeMessage(session, request.room, request.seq, MessageChange::Delete, id,
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
                          audit(later, room, QStringLiteral("delete"), from, QStringLiteral("message %1").arg(seq));
                      storeChange(later, room, message, id, {});
                  });
}

void ChatService::onReact(Session &session, const React &request, const QJsonValue &id)
{
    changeMessage(session, request.room, request.seq, MessageChange::React, id,
                  [this, emoji = request.emoji, id](Session &later, Room *room, ChatMessage message, bool) {
                      react(later, room, message, emoji, id);
                  });
}

void ChatService::react(Session &session, Room *room, ChatMessage message, const QString &emoji, const QJsonValue &id)
{
    if (!toggleReaction(message.reactions, emoji, session.nick)) {
        sendError(session, ErrorCode::BadRequest,
                  QStringLiteral("a message has at most %1 different reactions").arg(Defaults::MaxReactionKinds), id);
        return;
    }
    storeChange(session, room, message, id, MessageStore::Change{MessageStore::Change::React, emoji, session.nick});
}

void ChatService::sendUpdate(const MessageUpdated &event, const QList<Session *> &recipients,
                             const Session *requester, const QJsonValue &requesterId)
{
    const ReactionView view(event.message);
    QHash<quint32, QByteArray> frames; // by the kinds the reader chose: most choose none
    for (Session *recipient : recipients) {
        const quint32 chosen = view.chosenBy(recipient->nickKey);
        if (recipient == requester) {
            sendFrame(recipient, encode(MessageUpdated{event.by, view.forReader(chosen)}, requesterId));
            continue;
        }
        auto frame = frames.constFind(chosen);
        if (frame == frames.constEnd())
            frame = frames.insert(chosen, encode(MessageUpdated{event.by, view.forReader(chosen)}));
        sendFrame(recipient, *frame);
    }
}

QList<ChatMessage> ChatService::asSeenBy(const Session &session, QList<ChatMessage> messages)
{
    for (ChatMessage &message : messages) {
        if (message.reactions) {
            const ReactionView view(message);
            message = view.forReader(view.chosenBy(session.nickKey));
        }
    }
    return messages;
}
