// Read markers: read, read_marker, kept per account (protocol section 20).

#include "readmarkers.h"
#include "chatinternal.h"
#include "privatechat.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

void ReadMarkers::onRead(Session &session, const MarkRead &request, const QJsonValue &id)
{
    if (request.room.has_value() == request.with.has_value()) {
        m_core.sendError(session, ErrorCode::BadRequest, QStringLiteral("name a room or `with`, one of the two"), id);
        return;
    }
    if (request.with) {
        m_core.findUser(session, *request.with, QString(),
                        [this, request, id](Session &later, const ChatCore::Target &target) {
                            markRead(later, request, m_privateChat.identityOf(target, *request.with), id);
                        });
        return;
    }
    markRead(session, request, QString(), id);
}

void ReadMarkers::markRead(Session &session, const MarkRead &request, const QString &peer, const QJsonValue &id)
{
    QString conversation;
    qint64 last = 0;
    if (request.room) {
        Room *room = m_core.joinedRoom(session, *request.room);
        if (!room) {
            m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(*request.room), id);
            return;
        }
        conversation = u'#' + room->key;
        last = room->lastSeq;
    } else {
        conversation = u'@' + peer;
        const QString pair = PrivateChat::pairOf(PrivateChat::identity(session), peer);
        if (m_core.messages().numbersAtCommit()) {
            // Numbered by the database (perhaps through another server):
            // asked there, after what this pass accepted.
            m_core.offloadToStore<qint64>(
                    session, [this, pair] { return m_core.messages().lastPrivateSeq(pair); },
                    [this, request, conversation, id](Session &later, qint64 stored) {
                        store(later, request, conversation, stored, id);
                    });
            return;
        }
        last = m_privateChat.knownSeq(pair);
    }
    store(session, request, conversation, last, id);
}

void ReadMarkers::store(Session &session, const MarkRead &request, const QString &conversation, qint64 last,
                        const QJsonValue &id)
{
    // Only forwards, and only as far as there is something to read: each
    // marker is written at most once per message.
    if (request.seq > last) {
        m_core.sendError(session, ErrorCode::BadRequest, QStringLiteral("there is no message %1 there yet").arg(request.seq),
                         id);
        return;
    }
    const qint64 current = session.readMarkers.value(conversation, 0);
    const ReadMarker marker{request.room, request.with, qMax(current, request.seq)};
    if (request.seq <= current) {
        if (hasId(id))
            m_core.reply(session, marker, id);
        return;
    }
    session.readMarkers.insert(conversation, request.seq);
    if (session.isLoggedIn()) {
        QList<Session *> others;
        for (Session *other : m_core.users()) {
            if (other != &session && other->accountKey == session.accountKey) {
                other->readMarkers.insert(conversation, request.seq);
                others.append(other);
            }
        }
        if (!others.isEmpty())
            m_core.deliver(ChatCore::plainDelivery(others, encode(marker)));
        m_core.publishNote({{QStringLiteral("reader"), session.accountKey},
                     {QStringLiteral("conversation"), conversation},
                     {QStringLiteral("seq"), request.seq}},
                           encode(marker));
        // Answered once stored: a login elsewhere right after the answer
        // (another server of a cluster) reads the marker back.
        m_core.offloadToStore<bool>(
                session,
                [this, account = session.accountKey, conversation, seq = request.seq] {
                    return m_core.messages().setReadMarker(account, conversation, seq);
                },
                [this, marker, id](Session &later, const bool &) {
                    if (hasId(id))
                        m_core.reply(later, marker, id);
                });
        return;
    }
    if (hasId(id))
        m_core.reply(session, marker, id);
}
