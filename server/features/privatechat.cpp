// Private conversations: whisper, private_history, messages that wait for an
// offline account (protocol section 19).

#include "privatechat.h"
#include "chatinternal.h"

#include "accountstore.h"

#include "messagestore.h"
#include "names.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

QString PrivateChat::identity(const Session &session)
{
    return session.isLoggedIn() ? QStringLiteral("a:") + session.accountKey : QStringLiteral("n:") + session.nickKey;
}

QString PrivateChat::identityOf(const ChatCore::Target &target, const QString &nick) const
{
    const QString key = nameKey(nick);
    if (target.local)
        return identity(*target.local);
    if (target.remote) {
        return target.remote->accountKey.isEmpty() ? QStringLiteral("n:") + key
                                                   : QStringLiteral("a:") + target.remote->accountKey;
    }
    // Offline: a nick that is an account can only ever be that account's.
    return m_core.accounts().hasAccount(key) ? QStringLiteral("a:") + key : QStringLiteral("n:") + key;
}

QString PrivateChat::pairOf(const QString &one, const QString &other)
{
    return one < other ? one + u'\n' + other : other + u'\n' + one;
}

void PrivateChat::onWhisper(Session &session, const Whisper &whisper, const QJsonValue &id)
{
    // Here, or perhaps on another server.
    m_core.findUser(session, whisper.to, QString(), [this, whisper, id](Session &later, const ChatCore::Target &target) {
        sendWhisper(later, whisper, id, target.local, target.remote);
    });
}

void PrivateChat::sendWhisper(Session &session, const Whisper &whisper, const QJsonValue &id, Session *target,
                              const std::optional<ChatCore::RemoteMember> &remote)
{
    // A registered account that is offline gets it when it next logs in; a
    // guest who is not here is nobody to wait for.
    const bool waiting = !target && !remote && m_core.accounts().hasAccount(nameKey(whisper.to));
    if (!target && !remote && !waiting) {
        m_core.sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not online").arg(whisper.to), id);
        return;
    }
    QString recipient = QStringLiteral("a:") + nameKey(whisper.to);
    if (target)
        recipient = identity(*target);
    else if (remote)
        recipient = remote->accountKey.isEmpty() ? QStringLiteral("n:") + nameKey(remote->nick)
                                                 : QStringLiteral("a:") + remote->accountKey;
    session.typingPassedOn.remove(nameKey(whisper.to));
    const std::optional<QString> away = target ? target->away() : remote ? remote->away : std::nullopt;
    if (away && target != &session) {
        const QString nick = target ? target->nick : remote->nick;
        m_core.deliver(ChatCore::plainDelivery({&session}, encode(AwayChanged{nick, away}))); // as IRC's RPL_AWAY
    }

    const QString pair = pairOf(identity(session), recipient);
    qint64 &lastSeq = seq(pair);
    m_core.scheduleCommit(ChatCore::Undo{nullptr, lastSeq, 0, QString(), pair});
    PrivateMessage message{session.nick, target ? target->nick : remote ? remote->nick : whisper.to, whisper.text,
                           qMax(wallClockMs(), session.nickSinceMs),
                           whisper.action.value_or(false) ? std::optional<bool>(true) : std::nullopt, ++lastSeq,
                           std::nullopt};
    m_core.messages().appendPrivate(pair, recipient, message, !waiting);

    // Stored first, then sent (storage_failed to the sender otherwise).
    ChatCore::Delivery delivery = ChatCore::plainDelivery(target && target != &session ? QList<Session *>{target, &session}
                                                                   : QList<Session *>{&session},
                                      encode(message));
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    delivery.requester = &session;
    m_core.numberAtCommit(delivery, message, waiting, remote, pair);
    if (waiting)
        message.waiting = true;
    delivery.requesterFrame = encode(message, id);
    m_core.deliver(std::move(delivery));
}

qint64 PrivateChat::knownSeq(const QString &pair)
{
    // A read marker may name any conversation: one with no message yet is
    // not kept, or a guest naming thousands of nicks would make the server
    // keep them all.
    if (const auto known = m_seqs.constFind(pair); known != m_seqs.constEnd())
        return *known;
    m_core.commitAndDeliver(); // so that the store's highest seq is the real one
    const qint64 stored = m_core.messages().lastPrivateSeq(pair);
    if (stored > 0)
        m_seqs.insert(pair, stored);
    return stored;
}

qint64 &PrivateChat::seq(const QString &pair)
{
    auto known = m_seqs.find(pair);
    if (known == m_seqs.end()) {
        // Where the database numbers them at the commit, what this server
        // counts is only a stand-in until then: nothing to read.
        qint64 stored = 0;
        if (!m_core.messages().numbersAtCommit()) {
            m_core.commitAndDeliver(); // so that the store's highest seq is the real one
            stored = m_core.messages().lastPrivateSeq(pair);
        }
        known = m_seqs.insert(pair, stored);
    }
    return *known;
}

void PrivateChat::onPrivateHistory(Session &session, const GetPrivateHistory &request, const QJsonValue &id)
{
    m_core.findUser(session, request.with, QString(), [this, request, id](Session &later, const ChatCore::Target &target) {
        history(later, request, identityOf(target, request.with), id);
    });
}

void PrivateChat::history(Session &session, const GetPrivateHistory &request, const QString &peer,
                          const QJsonValue &id)
{
    m_core.commitBeforeRead(); // the page must include what was accepted in this pass
    const QString pair = pairOf(identity(session), peer);
    MessageStore::HistoryQuery query{request.before, request.after, request.limit.value_or(Defaults::HistoryPage),
                                     std::nullopt};
    // A guest reads only what was said while it has had the nick: the next
    // guest of that name reads nothing of the last one's.
    const qint64 notBefore = session.isLoggedIn() ? 0 : session.nickSinceMs;
    m_core.offloadToStore<QList<PrivateMessage>>(
            session, [this, pair, query, notBefore] { return m_core.messages().privateHistory(pair, query, notBefore); },
            [this, with = request.with, peer, newest = !request.after, id](Session &later,
                                                                           const QList<PrivateMessage> &page) {
                QList<PrivateMessage> fitted = page;
                const bool cut = fitPage(fitted, newest);
                m_core.reply(later, PrivatePage{with, fitted, later.readMarker(u'@' + peer), moreIf(cut)}, id);
            });
}

void PrivateChat::deliverWaiting(Session &session)
{
    if (!session.isLoggedIn())
        return;
    m_core.commitBeforeRead();
    constexpr int MaxWaiting = 1000;
    // Its next requests wait for the markers (a join answers with them).
    using Arrival = std::pair<QHash<QString, qint64>, QList<PrivateMessage>>;
    m_core.offloadToStore<Arrival>(
            session,
            [this, account = session.accountKey, recipient = identity(session)] {
                return Arrival{m_core.messages().readMarkers(account), m_core.messages().takeWaiting(recipient, MaxWaiting)};
            },
            [this](Session &later, const Arrival &arrival) {
                // Merged: another device's marker may have come meanwhile.
                for (auto it = arrival.first.cbegin(); it != arrival.first.cend(); ++it)
                    later.readMarkers.insert(it.key(), qMax(it.value(), later.readMarkers.value(it.key())));
                for (const PrivateMessage &message : arrival.second)
                    m_core.reply(later, message, QJsonValue());
            });
}
