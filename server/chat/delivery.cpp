// ChatService's delivery: what a pass of the event loop produced is
// committed to the store first (one transaction for the batch, on the
// store's thread where it has one) and sent only once stored; a failed
// commit sends nothing and tells each author storage_failed.

#include "chatservice.h"
#include "chatinternal.h"
#include "reactions.h"

#include "faultinjector.h"

#include "logging.h"
#include "messagestore.h"

#include <QScopedValueRollback>
#include <QSet>

using namespace Confab::Protocol;
using namespace ChatInternal;

void ChatService::afterAcceptedCommits(std::function<void()> start)
{
    // The store's thread runs what it is given in order: after the commit
    // of what is pending, the work sees it. That commit starts now, or
    // right after the one under way.
    if (m_store->hasPending()) {
        if (m_commitInFlight) {
            m_afterNextCommit.append(std::move(start));
            return;
        }
        startBackgroundCommit();
    }
    start();
}

void ChatService::storeWork(std::function<void()> work, std::function<void()> done)
{
    afterAcceptedCommits([this, work = std::move(work), done = std::move(done)] {
        m_store->offload(this, work, done);
    });
}

void ChatService::answer(Session &session, QByteArray frame)
{
    Delivery delivery = plainDelivery({&session}, std::move(frame));
    session.turnAnswerBytes += delivery.frame.size();
    delivery.answer = true;
    deliver(std::move(delivery));
}

qint64 ChatService::nextRoomSeq(Room *room)
{
    return m_cluster ? 0 : ++room->lastSeq;
}

void ChatService::deliverRoomMessage(Delivery delivery, Room *room, const ChatMessage &message, const QJsonValue &id)
{
    if (m_cluster) {
        // Encoded and sent in seq order once the commit has numbered it.
        delivery.numbered = Delivery::Numbered::RoomMessage;
        delivery.room = room;
        delivery.message = message;
        deliver(std::move(delivery));
        return;
    }
    room->recent.append(message);
    if (room->recent.size() > Defaults::HistoryOnJoin)
        room->recent.removeFirst();
    delivery.recipients = room->members;
    delivery.frame = encode(message);
    if (hasId(id))
        delivery.requesterFrame = encode(message, id);
    deliver(std::move(delivery));
}

void ChatService::deliver(Delivery delivery)
{
    if (!m_sendingNow && (m_commitInFlight || m_store->hasPending() || !m_deferred.isEmpty()))
        m_deferred.append(std::move(delivery));
    else
        send(delivery);
}

void ChatService::send(const Delivery &delivery)
{
    if (!delivery.clusterRooms.isEmpty())
        shareWithCluster(delivery.clusterRooms, delivery.frame, delivery.clusterNote);
    if (delivery.update) {
        sendUpdate(*delivery.update, delivery.recipients, delivery.requester, delivery.authorId);
        return;
    }
    for (Session *recipient : delivery.recipients) {
        const bool own = recipient == delivery.requester;
        sendFrame(recipient, own ? delivery.requesterFrame : delivery.frame, delivery.answer);
    }
}

void ChatService::sendFrame(Session *recipient, const QByteArray &frame, bool answer)
{
    if (Q_UNLIKELY(m_faults))
        m_faults->send(recipient->connection, frame);
    else
        recipient->connection->send(frame, answer);
}

void ChatService::scheduleCommit(Room *room)
{
    // Remembered before the change, so that a failed commit can restore it.
    scheduleCommit(Undo{room, room->lastSeq, room->lastRev, room->topic, QString()});
}

void ChatService::scheduleCommit(const Undo &undo)
{
    m_undo.append(undo);
    if (!m_commitTimer.isActive())
        m_commitTimer.start();
}

void ChatService::commitPass()
{
    if (!m_store->commitsInBackground()) {
        commitAndDeliver();
        return;
    }
    m_commitTimer.stop();
    if (m_commitInFlight)
        return; // what is pending goes when it ends
    if (m_store->hasPending())
        startBackgroundCommit();
    else if (!m_deferred.isEmpty())
        deliverAfterCommit(false, true, QString(), {}, std::exchange(m_deferred, {}), std::exchange(m_undo, {}));
}

void ChatService::startBackgroundCommit()
{
    m_commitInFlight = true;
    QElapsedTimer took;
    took.start();
    // The deliveries waiting for this commit, and how to take it back; what
    // comes meanwhile waits for the next one.
    // (Kept here rather than in the callback, so that a session that goes
    // meanwhile can be taken out of them: see forgetInDeliveries().)
    m_committing = std::exchange(m_deferred, {});
    m_committingUndo = std::exchange(m_undo, {});
    const QList<std::function<void()>> after = std::exchange(m_afterNextCommit, {});
    m_store->startCommit(this, [this, took](bool stored, const QString &error, const MessageStore::Numbers &numbers) {
        m_commitInFlight = false;
        serverMetrics().observeCommit(double(took.nsecsElapsed()) / 1e9);
        deliverAfterCommit(true, stored, error, numbers, std::exchange(m_committing, {}),
                           std::exchange(m_committingUndo, {}));
        heardDuringCommit();
        if (m_store->hasPending() || !m_deferred.isEmpty())
            m_commitTimer.start();
    });
    // Work for the store that waited for this commit goes after it.
    for (const auto &start : after)
        start();
}

void ChatService::commitAndDeliver()
{
    m_commitTimer.stop();
    if (m_store->commitsInBackground()) {
        // Everything, now: the commit under way, then what is pending.
        m_store->finishCommit();
        if (m_store->hasPending()) {
            startBackgroundCommit();
            m_store->finishCommit();
        } else if (!m_deferred.isEmpty()) {
            deliverAfterCommit(false, true, QString(), {}, std::exchange(m_deferred, {}), std::exchange(m_undo, {}));
        }
        return;
    }
    const bool committing = m_store->hasPending();
    bool stored = true;
    QString error;
    if (committing) {
        QElapsedTimer took;
        took.start();
        stored = m_store->commit(&error);
        serverMetrics().observeCommit(double(took.nsecsElapsed()) / 1e9);
    }
    deliverAfterCommit(committing, stored, error,
                       committing && stored && m_store->numbersAtCommit() ? m_store->committedNumbers()
                                                                          : MessageStore::Numbers{},
                       std::exchange(m_deferred, {}), std::exchange(m_undo, {}));
}

void ChatService::deliverAfterCommit(bool committing, bool stored, const QString &error,
                                     const MessageStore::Numbers &numbers, QList<Delivery> deferred,
                                     const QList<Undo> &undo)
{
    if (committing) {
        if (stored)
            commitWorked();
        else
            commitFailed(error, undo);
    }
    // What this commit held goes out now, before anything that came while
    // it was made (those wait in m_deferred).
    const QScopedValueRollback<bool> sending(m_sendingNow, true);
    qsizetype messages = 0, updates = 0, privates = 0;
    for (Delivery &delivery : deferred) {
        if (stored && delivery.numbered != Delivery::Numbered::No) {
            sendNumbered(delivery, numbers, &messages, &updates, &privates);
            continue;
        }
        if (stored || !delivery.onlyIfStored) {
            if (delivery.chatMessage) {
                ++serverMetrics().messagesStored;
                serverMetrics().messagesDelivered += quint64(delivery.recipients.size());
            }
            send(delivery);
            continue;
        }
        // Nothing that failed to be stored is sent, and its seq is given
        // out again: better a message refused than one that some saw and
        // history forgot.
        if (delivery.author && delivery.author->connection && !delivery.author->connection->isClosing()) {
            delivery.author->connection->send(encode(
                    Error{ErrorCode::StorageFailed,
                          QStringLiteral("the server cannot store messages right now; nothing was sent, try again")},
                    delivery.authorId));
        }
    }
    // What was handed to the connections goes out when this turn of the
    // event loop ends: the transport gathers it (see Connection::flushAll()).
    if (committing && stored)
        m_store->maintain();
    if (!m_emptyRooms.isEmpty())
        closeEmptyRooms();
}

void ChatService::commitFailed(const QString &error, const QList<Undo> &undo)
{
    // Back to what the store holds, newest change first. In a cluster a
    // room's seqs, revisions and recent messages move only with what is
    // delivered, never ahead of the commit: only the topic is taken back.
    QSet<Room *> rooms;
    for (auto it = undo.crbegin(); it != undo.crend(); ++it) {
        if (!it->room) {
            m_privateChat.restoreSeq(it->privatePair, it->lastSeq);
            continue;
        }
        it->room->topic = it->topic;
        if (m_cluster)
            continue;
        it->room->lastSeq = it->lastSeq;
        it->room->lastRev = it->lastRev;
        rooms.insert(it->room);
    }
    for (Room *room : std::as_const(rooms))
        room->recent = m_store->history(room->key, room->name, recentQuery());
    StorageHealth &health = m_storageHealth;
    if (health.ok) {
        health.ok = false;
        health.failingSinceMs = wallClockMs();
        qCCritical(lcStore).noquote() << "cannot store messages:" << error
                                      << "- refusing messages and topics (storage_failed) until it works again";
    }
    health.lastError = error;
    ++health.failedCommits;
    ++serverMetrics().failedCommits;
}

void ChatService::forgetInDeliveries(Session *session)
{
    for (QList<Delivery> *deliveries : {&m_deferred, &m_committing}) {
        for (Delivery &delivery : *deliveries) {
            delivery.recipients.removeAll(session);
            if (delivery.requester == session)
                delivery.requester = nullptr;
            if (delivery.author == session)
                delivery.author = nullptr;
        }
    }
}

void ChatService::closeEmptyRooms()
{
    const auto named = [this](const Room *room) {
        for (const QList<Delivery> *deliveries : {&m_deferred, &m_committing}) {
            for (const Delivery &delivery : *deliveries) {
                if (delivery.room == room)
                    return true;
            }
        }
        for (const QList<Undo> *undo : {&m_undo, &m_committingUndo}) {
            for (const Undo &change : *undo) {
                if (change.room == room)
                    return true;
            }
        }
        return false;
    };
    for (auto it = m_emptyRooms.begin(); it != m_emptyRooms.end();) {
        Room *room = findRoom(*it);
        if (room && room->members.isEmpty() && named(room)) {
            ++it;
            continue;
        }
        if (room && room->members.isEmpty())
            closeRoom(room);
        it = m_emptyRooms.erase(it);
    }
}

void ChatService::commitWorked()
{
    StorageHealth &health = m_storageHealth;
    if (health.ok)
        return;
    qCWarning(lcStore).noquote() << "storing works again after" << health.failedCommits << "failed commits in"
                                 << (wallClockMs() - health.failingSinceMs) / 1000 << "s";
    health = StorageHealth{};
}

// ------------------------------------------------------------ liveness

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
