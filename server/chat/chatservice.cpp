// The chat service's core: its settings, connections opened and closed,
// sessions ended, liveness and shutdown. How frames become requests is in
// requests.cpp, commits and delivery in delivery.cpp, each feature's
// handlers in server/features/.

#include "chatservice.h"
#include "chatinternal.h"

#include "accountstore.h"
#include "faultinjector.h"
#include "requestrules.h"

#include "logging.h"
#include "messagestore.h"
#include "moderationstore.h"
#include "names.h"

#include <QDateTime>
#include <QScopedValueRollback>

#include <algorithm>

using namespace Confab::Protocol;
using namespace ChatInternal;

ChatService::ChatService(Settings settings, MessageStore *store, AccountStore *accounts, ModerationStore *moderation,
                         QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_store(store)
    , m_accounts(accounts)
    , m_moderation(moderation)
{
    m_clock.start();
    setBucketSpecs();

    // Zero interval: runs once the event loop has handled what is ready now,
    // so one commit covers every message of the pass.
    m_commitTimer.setSingleShot(true);
    m_commitTimer.setInterval(0);
    connect(&m_commitTimer, &QTimer::timeout, this, &ChatService::commitPass);
    // Counts the turns of the event loop in which requests arrived (for
    // each client's fair share of one): it fires once what is ready now
    // has been handled.
    m_turnTimer.setSingleShot(true);
    m_turnTimer.setInterval(0);
    connect(&m_turnTimer, &QTimer::timeout, this, [this] { ++m_turn; });

    // One timer for every connection's timeouts rather than timers per
    // connection: a sweep over the sessions is cheap, re-arming thousands of
    // timers on every message is not.
    setLivenessInterval();
    connect(&m_livenessTimer, &QTimer::timeout, this, &ChatService::sweepLiveness);
    m_livenessTimer.start();

    openRoom(QString::fromLatin1(Defaults::LobbyRoom), nameKey(QString::fromLatin1(Defaults::LobbyRoom)));
    m_serverBans.setBans(loadBans(QString()));
    warnAboutOperatorsWithoutAccounts();
    m_accountWatch.start();
}

void ChatService::setBucketSpecs()
{
    for (int bucket = 0; bucket < RequestRules::BucketCount; ++bucket)
        m_bucketSpecs[std::size_t(bucket)] = RequestRules::bucketSpec(RequestRules::Bucket(bucket), m_settings.limits);
}

void ChatService::setLivenessInterval()
{
    const ChatLimits &limits = m_settings.limits;
    const int shortest = std::min({limits.helloTimeoutMs, limits.idleBeforePingMs, limits.pingTimeoutMs});
    m_livenessTimer.setInterval(std::clamp(shortest / 4, 20, 1000));
}

ServerMetrics::Gauges ChatService::gauges() const
{
    ServerMetrics::Gauges gauges;
    for (const auto &[connection, session] : m_sessions) {
        const bool ws = connection->transport() == Connection::Transport::WebSocket;
        const char *name = ws ? (connection->isEncrypted() ? "wss" : "ws") : (connection->isEncrypted() ? "tls" : "tcp");
        ++gauges.connectionsByTransport[QLatin1String(name)];
        if (session->isIdentified())
            ++gauges.identifiedUsers;
        gauges.sendQueueBytes += connection->unsentBytes();
    }
    gauges.rooms = qint64(m_rooms.size());
    return gauges;
}

void ChatService::updateSettings(Settings settings)
{
    const qint64 oldQueue = m_settings.limits.sendQueueBytes;
    const QStringList oldOperators = m_settings.operators;
    m_settings = std::move(settings);
    setLivenessInterval();
    setBucketSpecs();
    if (m_settings.operators != oldOperators)
        warnAboutOperatorsWithoutAccounts();
    if (m_settings.limits.sendQueueBytes != oldQueue) {
        for (auto &[connection, session] : m_sessions) {
            if (session->isIdentified())
                connection->setSendQueueLimit(m_settings.limits.sendQueueBytes);
        }
    }
}

ChatService::~ChatService()
{
    // No hash may finish and call back into a service that is gone, nor
    // a commit.
    m_accountRequests.stop();
    m_store->finishCommit();
    m_store->waitForReads();
}

// ------------------------------------------------------------ connections

void ChatService::connectionOpened(Connection *connection)
{
    auto session = std::make_unique<Session>();
    session->connection = connection;
    session->serial = ++m_nextSerial;
    session->connectedAtMs = session->lastHeardMs = nowMs();
    const ChatLimits &limits = m_settings.limits;
    // Before hello, a connection is owed a few error replies at most.
    connection->setSendQueueLimit(qMin(limits.sendQueueBytes, Defaults::UnidentifiedSendQueueBytes));
    Session &opened = *session;
    m_sessions.emplace(connection, std::move(session));
    qCInfo(lcNet).noquote() << connection->describe() << "connected";
    // Address bans apply at once; nick and account bans at hello, when
    // there is a nick, and an operator's login can be recognised.
    if (const Room::Ban *ban = m_serverBans.banFor({QString(), QString(), connection->peerAddress()}, true)) {
        refuseBanned(opened, *ban, QJsonValue());
        return;
    }
    if (m_shuttingDown)
        hangUp(connection, QStringLiteral("server shutting down"));
}

void ChatService::connectionClosed(Connection *connection, const QString &reason)
{
    serverMetrics().closed(reason);
    if (m_faults)
        m_faults->forget(connection);
    const auto it = m_sessions.find(connection);
    if (it == m_sessions.end())
        return;
    Session &session = *it->second;
    // Deferred deliveries may still name this session: sent first, or,
    // where a commit runs on the store's thread, without it (not waiting
    // for that commit here).
    if (m_store->commitsInBackground())
        forgetInDeliveries(&session);
    else
        commitAndDeliver();

    QString line = connection->describe() + QStringLiteral(" disconnected: ") + reason;
    if (const qint64 unlogged = session.unloggedLines())
        line += QStringLiteral(" (%1 lines about it were not logged)").arg(unlogged);
    qCInfo(lcNet).noquote() << line;
    if (!session.quitReason())
        endPresence(session, reason);
    m_sessions.erase(it);

    if (m_shuttingDown && m_sessions.empty())
        emit drained();
}

void ChatService::frameRejected(Connection *connection, ErrorCode code, const QString &reason)
{
    const auto it = m_sessions.find(connection);
    if (it == m_sessions.end())
        return;
    lastWord([&] { sendError(*it->second, code, reason, QJsonValue()); });
    if (errorClosesConnection(code))
        hangUp(connection, QString::fromLatin1(errorCodeName(code)).replace(u'_', u' '));
}

void ChatService::resumeAfterOffload(Connection *connection, quint64 serial,
                                     const std::function<void(Session &)> &done)
{
    const auto it = m_sessions.find(connection);
    if (it == m_sessions.end() || it->second->serial != serial)
        return; // gone while the hash was made
    Session &session = *it->second;
    session.busy = false;
    if (connection->isClosing())
        return;
    done(session);
    // What the client sent meanwhile, in order, until something makes it
    // wait again.
    serveWaitingFrames(session);
}

void ChatService::onQuit(Session &session, const Quit &quit)
{
    // At once, not when the transport is done closing: the others hear it
    // now, and the nick is free for a reconnect straight away.
    session.rare().quitReason = quit.reason.value_or(QString());
    endPresence(session, *session.quitReason());
    // What waits for a commit reaches the others when it is made; where
    // commits run on the store's thread, the quitter does not wait for it.
    if (!m_store->commitsInBackground())
        commitAndDeliver();
    hangUp(session.connection, QStringLiteral("quit"));
}

void ChatService::endPresence(Session &session, const QString &reason)
{
    if (!m_shuttingDown) {
        const QList<Room *> rooms = session.rooms;
        for (Room *room : rooms)
            removeFromRoom(session, room, reason);
    }
    // The nick may have gone to someone else after a quit.
    if (session.isIdentified() && m_users.value(session.nickKey) == &session)
        releaseNick(session.nickKey);
}

// ------------------------------------------------------------ moderation

void ChatService::injectFaults(const FaultSettings &faults)
{
    delete m_faults;
    m_faults = new FaultInjector(faults, m_settings.limits.sendQueueBytes, [this] {
        QList<QPair<QString, Connection *>> users;
        for (Session *session : std::as_const(m_users)) {
            if (!session->connection->isClosing())
                users.append({session->nickKey, session->connection});
        }
        std::sort(users.begin(), users.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
        return users;
    }, this);
}

void ChatService::sendError(Session &session, ErrorCode code, const QString &message, const QJsonValue &id)
{
    logAbout(session, QStringLiteral("error %1 - %2").arg(errorCodeName(code), message));
    constexpr qsizetype RecentErrorsKept = 8;
    if (m_recentErrors.size() == RecentErrorsKept)
        m_recentErrors.removeFirst();
    m_recentErrors.append({QDateTime::currentMSecsSinceEpoch(), errorCodeName(code), message,
                           session.isIdentified() ? session.nick : session.connection->describe()});
    reply(session, Error{code, message}, id);
}

void ChatService::logAbout(Session &session, const QString &line)
{
    qint64 unlogged = 0;
    if (!session.rare().log.take(nowMs(), &unlogged))
        return;
    if (unlogged > 0) {
        qCInfo(lcChat).noquote() << session.connection->describe() << line
                                 << QStringLiteral("(and %1 more lines about it not logged)").arg(unlogged);
    } else {
        qCInfo(lcChat).noquote() << session.connection->describe() << line;
    }
}

void ChatService::releaseNick(const QString &key)
{
    forgetUser(key);
    m_users.remove(key);
    m_nickReleasedMs.insert(key, wallClockMs());
}

qint64 ChatService::tenureStart(const QString &key) const
{
    // After the last holder's time, even within the same millisecond: what
    // they said (ts up to their release) is never the new holder's.
    const auto released = m_nickReleasedMs.constFind(key);
    return released == m_nickReleasedMs.constEnd() ? wallClockMs() : qMax(wallClockMs(), *released + 1);
}

void ChatService::sweepLiveness()
{
    // Releases only matter within the millisecond they happened in.
    const qint64 longAgo = wallClockMs() - 1000;
    m_nickReleasedMs.removeIf([longAgo](const auto &release) { return release.value() < longAgo; });
    const qint64 now = nowMs();
    // What the throttles count expires in minutes: forgotten every few
    // seconds, not at every sweep.
    if (now - m_throttlesPrunedMs >= 5000) {
        m_throttlesPrunedMs = now;
        m_accountRequests.forgetExpired(now);
    }
    const ChatLimits &limits = m_settings.limits;
    for (const auto &[connection, session] : m_sessions) {
        if (connection->isClosing())
            continue;
        if (!session->isIdentified()) {
            if (now - session->connectedAtMs >= limits.helloTimeoutMs)
                closeSession(*session, QStringLiteral("hello timeout"));
        } else if (session->pingSentAtMs == 0) {
            if (now - session->lastHeardMs >= limits.idleBeforePingMs) {
                session->pingSentAtMs = now;
                reply(*session, Ping{}, QJsonValue());
            }
        } else if (now - session->pingSentAtMs >= limits.pingTimeoutMs) {
            closeSession(*session, QStringLiteral("ping timeout"));
        }
    }
}

void ChatService::hangUp(Connection *connection, const QString &reason)
{
    // However the server ends a session (a ban, a timeout, a refusal,
    // shutdown), it leaves the chat now: the others hear it and the nick
    // is free, whatever the socket does afterwards (a client that never
    // closes its side no longer holds the nick).
    const auto it = m_sessions.find(connection);
    if (it != m_sessions.end() && !it->second->quitReason()) {
        Session &session = *it->second;
        session.rare().quitReason = reason;
        endPresence(session, reason);
    }
    if (Q_UNLIKELY(m_faults))
        m_faults->release(connection);
    connection->close(reason);
}

void ChatService::closeSession(Session &session, const QString &reason)
{
    lastWord([&] { reply(session, Closing{reason}, QJsonValue()); });
    hangUp(session.connection, reason);
}

bool ChatService::isCurrent(Connection *connection, quint64 serial) const
{
    const auto it = m_sessions.find(connection);
    return it != m_sessions.end() && it->second->serial == serial && !connection->isClosing();
}

QList<Session *> ChatService::openSessions() const
{
    QList<Session *> open;
    for (const auto &[connection, session] : m_sessions) {
        if (!connection->isClosing())
            open.append(session.get());
    }
    return open;
}

void ChatService::lastWord(const std::function<void()> &say)
{
    // A closing connection accepts nothing more, so not behind what waits
    // for a commit: that goes first here, or, where commits run on the
    // store's thread, reaches this session no more (not waiting for it).
    if (!m_store->commitsInBackground())
        commitAndDeliver();
    const QScopedValueRollback<bool> now(m_sendingNow, true);
    say();
}

void ChatService::shutdown(const QString &reason)
{
    m_shuttingDown = true;
    m_accountWatch.stop();
    m_livenessTimer.stop();
    commitAndDeliver();
    for (const auto &[connection, session] : m_sessions) {
        if (!connection->isClosing())
            closeSession(*session, reason);
    }
    if (m_sessions.empty())
        emit drained();
}
