// Read markers: read, read_marker, kept per account (protocol section 20).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

std::optional<qint64> ChatService::readMarker(const Session &session, const QString &conversation)
{
    const auto found = session.readMarkers.constFind(conversation);
    return found == session.readMarkers.constEnd() ? std::nullopt : std::optional<qint64>(*found);
}

void ChatService::onRead(Session &session, const MarkRead &request, const QJsonValue &id)
{
    if (request.room.has_value() == request.with.has_value()) {
        sendError(session, ErrorCode::BadRequest, QStringLiteral("name a room or `with`, one of the two"), id);
        return;
    }
    if (request.with) {
        findUser(session, *request.with, QString(), [this, request, id](Session &later, const Target &target) {
            markRead(later, request, identityOf(target, *request.with), id);
        });
        return;
    }
    markRead(session, request, QString(), id);
}

void ChatService::markRead(Session &session, const MarkRead &request, const QString &peer, const QJsonValue &id)
{
    QString conversation;
    qint64 last = 0;
    if (request.room) {
        Room *room = joinedRoom(session, *request.room);
        if (!room) {
            sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(*request.room), id);
            return;
        }
        conversation = u'#' + room->key;
        last = room->lastSeq;
    } else {
        conversation = u'@' + peer;
        const QString pair = privatePair(identity(session), peer);
        if (m_store->numbersAtCommit()) {
            // Numbered by the database (perhaps through another server):
            // asked there, after what this pass accepted.
            offloadToStore<qint64>(
                    session, [this, pair] { return m_store->lastPrivateSeq(pair); },
                    [this, request, conversation, id](Session &later, qint64 stored) {
                        storeReadMarker(later, request, conversation, stored, id);
                    });
            return;
        }
        last = knownPrivateSeq(pair);
    }
    storeReadMarker(session, request, conversation, last, id);
}

void ChatService::storeReadMarker(Session &session, const MarkRead &request, const QString &conversation, qint64 last,
                                  const QJsonValue &id)
{
    // Only forwards, and only as far as there is something to read: each
    // marker is written at most once per message.
    if (request.seq > last) {
        sendError(session, ErrorCode::BadRequest, QStringLiteral("there is no message %1 there yet").arg(request.seq),
                  id);
        return;
    }
    const qint64 current = session.readMarkers.value(conversation, 0);
    const ReadMarker marker{request.room, request.with, qMax(current, request.seq)};
    if (request.seq <= current) {
        if (hasId(id))
            reply(session, marker, id);
        return;
    }
    session.readMarkers.insert(conversation, request.seq);
    if (session.isLoggedIn()) {
        QList<Session *> others;
        for (Session *other : std::as_const(m_users)) {
            if (other != &session && other->accountKey == session.accountKey) {
                other->readMarkers.insert(conversation, request.seq);
                others.append(other);
            }
        }
        if (!others.isEmpty())
            deliver(plainDelivery(others, encode(marker)));
        publishNote({{QStringLiteral("reader"), session.accountKey},
                     {QStringLiteral("conversation"), conversation},
                     {QStringLiteral("seq"), request.seq}},
                    encode(marker));
        // Answered once stored: a login elsewhere right after the answer
        // (another server of a cluster) reads the marker back.
        offloadToStore<bool>(
                session,
                [this, account = session.accountKey, conversation, seq = request.seq] {
                    return m_store->setReadMarker(account, conversation, seq);
                },
                [this, marker, id](Session &later, const bool &) {
                    if (hasId(id))
                        reply(later, marker, id);
                });
        return;
    }
    if (hasId(id))
        reply(session, marker, id);
}
