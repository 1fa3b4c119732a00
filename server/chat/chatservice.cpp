#include "chatservice.h"

#include "accountstore.h"
#include "clusterbus.h"
#include "connectionlimiter.h"
#include "faultinjector.h"
#include "hashqueue.h"
#include "passwordhasher.h"
#include "reactions.h"
#include "requestrules.h"

#include "logging.h"
#include "messagestore.h"
#include "moderationstore.h"
#include "names.h"

#include <QDateTime>
#include <QScopedValueRollback>
#include <QSet>

#include <algorithm>

using namespace Confab::Protocol;

namespace {

template <typename T>
constexpr bool isRequest = (int(T::sender) & int(Sender::Client)) != 0;

// Requests that arrive while a password is being hashed, kept in order.
constexpr qsizetype MaxWaitingFrames = 64;
// A client's share of one turn of the event loop: past this much time spent
// on its requests, or this many bytes of answers, what else it sent waits
// for its next turn (ChatService::yieldTurn()).
constexpr qint64 TurnBudgetNs = 2'000'000;
constexpr qint64 TurnBudgetBytes = 64 * 1024;

// The latest messages of a room, as `joined` sends them.
MessageStore::HistoryQuery recentQuery()
{
    return {std::nullopt, std::nullopt, Defaults::HistoryOnJoin, std::nullopt};
}

bool hasId(const QJsonValue &id)
{
    return !id.isNull() && !id.isUndefined();
}

qint64 wallClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Bans and mutes with an end: over at `untilMs`, checked when used.
template <typename Record>
bool isOver(const Record &record, qint64 now)
{
    return record.untilMs && *record.untilMs <= now;
}

void dropExpired(QList<Room::Ban> &bans)
{
    const qint64 now = wallClockMs();
    bans.removeIf([now](const Room::Ban &ban) { return isOver(ban.record, now); });
}

std::optional<qint64> untilAfter(const std::optional<qint64> &durationSeconds)
{
    return durationSeconds ? std::optional<qint64>(wallClockMs() + *durationSeconds * 1000) : std::nullopt;
}

QList<BanEntry> banEntries(const QList<Room::Ban> &bans)
{
    QList<BanEntry> entries;
    for (const Room::Ban &ban : bans)
        entries.append(BanEntry{ban.record.mask, ban.record.actor, ban.record.reason, ban.record.untilMs});
    return entries;
}

// Cuts a page of messages to Defaults::HistoryPageBytes as encoded,
// keeping at least one: the newest ones when scrolling back, else the
// oldest. Whether it cut any (the page then says `more`).
template <typename Message>
bool fitPage(QList<Message> &messages, bool keepNewest)
{
    const qsizetype count = messages.size();
    qsizetype bytes = 0;
    qsizetype kept = 0;
    for (; kept < count; ++kept) {
        bytes += encodeLine(messages.at(keepNewest ? count - 1 - kept : kept)).size();
        if (bytes > Defaults::HistoryPageBytes && kept > 0)
            break;
    }
    if (kept == count)
        return false;
    if (keepNewest)
        messages.remove(0, count - kept);
    else
        messages.resize(kept);
    return true;
}

// The bytes of a string as JSON, quotes included (escapes counted; at most
// what the encoder writes).
qsizetype jsonStringBytes(const QString &text)
{
    qsizetype bytes = 2;
    for (const QChar c : text) {
        const char16_t unit = c.unicode();
        if (unit < 0x20)
            bytes += 6;
        else if (unit == u'"' || unit == u'\\')
            bytes += 2;
        else if (unit < 0x80)
            bytes += 1;
        else if (unit < 0x800 || c.isSurrogate())
            bytes += 2; // a surrogate pair: 4 together
        else
            bytes += 3;
    }
    return bytes;
}

std::optional<bool> moreIf(bool cut)
{
    return cut ? std::optional<bool>(true) : std::nullopt;
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    const qsizetype n = qMin(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace

ChatService::ChatService(Settings settings, MessageStore *store, AccountStore *accounts, ModerationStore *moderation,
                         QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_store(store)
    , m_accounts(accounts)
    , m_moderation(moderation)
    , m_passwordFailures(Defaults::PasswordFailuresPerAddress, Defaults::PasswordFailureWindowMs)
    , m_loginFailuresByAccount(Defaults::LoginFailures, Defaults::LoginFailureWindowMs)
    , m_loginFailuresByAddress(Defaults::LoginFailures, Defaults::LoginFailureWindowMs)
    , m_registrations(Defaults::RegistrationsPerAddress, Defaults::RegistrationWindowMs)
    , m_hashes(std::make_unique<HashQueue>())
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
    m_serverBans = loadBans(QString());
    warnAboutOperatorsWithoutAccounts();
    watchAccounts();
}

void ChatService::warnAboutOperatorsWithoutAccounts() const
{
    for (const QString &key : std::as_const(m_settings.operators)) {
        if (!m_accounts->hasAccount(key)) {
            qCWarning(lcChat).noquote()
                    << QStringLiteral("operator %1 has no account yet: the nick is reserved until it is made with "
                                      "'confab-server account add %1'")
                               .arg(key);
        }
    }
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
    m_hashes.reset();
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
    if (const Room::Ban *ban = serverBanFor({QString(), QString(), connection->peerAddress()}, true)) {
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
    if (const qint64 unlogged = session.log.suppressed())
        line += QStringLiteral(" (%1 lines about it were not logged)").arg(unlogged);
    qCInfo(lcNet).noquote() << line;
    if (!session.quitReason)
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

void ChatService::frameReceived(Connection *connection, const QByteArray &frame)
{
    const auto it = m_sessions.find(connection);
    if (it == m_sessions.end() || connection->isClosing())
        return;
    Session &session = *it->second;
    session.lastHeardMs = nowMs();
    session.pingSentAtMs = 0;
    if (session.yielded) {
        // Over its share of this turn: the rest of what it sent waits for
        // its next turn (bounded: its input is held meanwhile).
        session.waitingFrames.append(frame);
        return;
    }
    if (session.busy) {
        // Requests are answered in order: these wait for the answer being
        // worked out (a password hash, a read of the database).
        if (session.waitingFrames.size() >= MaxWaitingFrames) {
            sendError(session, ErrorCode::RateLimited, QStringLiteral("wait for the answer to your request"),
                      QJsonValue());
            return;
        }
        session.waitingFrames.append(frame);
        return;
    }

    auto decoded = decode(frame, Sender::Client);
    if (auto *error = std::get_if<DecodeError>(&decoded)) {
        qCDebug(lcChat).noquote() << connection->describe() << "sent" << QString::fromUtf8(frame);
        sendError(session, error->code, error->reason, error->id);
        return;
    }
    const Envelope &envelope = std::get<Envelope>(decoded);
    if (lcChat().isDebugEnabled()) {
        // Passwords are never logged, not even for a classroom.
        const bool secret = std::holds_alternative<Hello>(envelope.message)
                            || std::holds_alternative<Register>(envelope.message)
                            || std::holds_alternative<ChangePassword>(envelope.message);
        qCDebug(lcChat).noquote() << connection->describe() << "sent"
                                  << (secret ? QStringLiteral("%1 (passwords not shown)").arg(typeName(envelope.message))
                                             : QString::fromUtf8(frame));
    }
    // A new turn of the event loop: the session's share starts afresh.
    if (session.turn != m_turn) {
        session.turn = m_turn;
        session.turnNs = 0;
        session.turnAnswerBytes = 0;
    }
    if (!m_turnTimer.isActive())
        m_turnTimer.start();
    QElapsedTimer spent;
    spent.start();
    const quint64 serial = session.serial;
    std::visit([&](const auto &request) { handle(session, request, envelope.id); }, envelope.message);
    // The session may have gone (a quit does not end it at once, a
    // refusal may): looked up again.
    const auto still = m_sessions.find(connection);
    if (still == m_sessions.end() || still->second->serial != serial)
        return;
    session.turnNs += spent.nsecsElapsed();
    if (!session.yielded && (session.turnNs >= TurnBudgetNs || session.turnAnswerBytes >= TurnBudgetBytes))
        yieldTurn(session);
}

void ChatService::yieldTurn(Session &session)
{
    // A fair share of the event loop: a client whose requests cost more
    // than a turn's worth (history pages, large lists) waits until everyone
    // else has had their turn; its input is held until then.
    session.yielded = true;
    session.connection->holdInput();
    QTimer::singleShot(0, this, [this, connection = session.connection, serial = session.serial] {
        const auto it = m_sessions.find(connection);
        if (it == m_sessions.end() || it->second->serial != serial)
            return;
        Session &later = *it->second;
        later.yielded = false;
        later.turn = m_turn;
        later.turnNs = 0;
        later.turnAnswerBytes = 0;
        serveWaitingFrames(later);
        if (!later.yielded && m_sessions.count(connection) && !connection->isClosing())
            connection->releaseInput();
    });
}

void ChatService::serveWaitingFrames(Session &session)
{
    // In order, until something makes the session wait again.
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    while (!session.busy && !session.yielded && !session.waitingFrames.isEmpty() && !connection->isClosing()) {
        frameReceived(connection, session.waitingFrames.takeFirst());
        const auto it = m_sessions.find(connection);
        if (it == m_sessions.end() || it->second->serial != serial)
            return;
    }
}

template <typename T>
void ChatService::handle(Session &session, const T &request, const QJsonValue &id)
{
    if constexpr (!isRequest<T>) {
        Q_UNUSED(request);
        Q_UNUSED(id);
        Q_UNUSED(session);
    } else {
        // The rule table decides before any handler runs; its bucket is
        // charged now, when the request is accepted.
        constexpr RequestRules::Rule rule = RequestRules::ruleFor<T>();
        if (!admitRequest(session, rule, T::type, id))
            return;
        if constexpr (std::is_same_v<T, Pong>)
            static_cast<void>(request); // its arrival already counted as a sign of life
        else if constexpr (std::is_same_v<T, Hello>)
            onHello(session, request, id);
        else if constexpr (std::is_same_v<T, Join>)
            onJoin(session, request, id);
        else if constexpr (std::is_same_v<T, Leave>)
            onLeave(session, request, id);
        else if constexpr (std::is_same_v<T, Say>)
            onSay(session, request, id);
        else if constexpr (std::is_same_v<T, Whisper>)
            onWhisper(session, request, id);
        else if constexpr (std::is_same_v<T, ChangeNick>)
            onNick(session, request, id);
        else if constexpr (std::is_same_v<T, SetTopic>)
            onTopic(session, request, id);
        else if constexpr (std::is_same_v<T, ListRooms>)
            onList(session, id);
        else if constexpr (std::is_same_v<T, Who>)
            onWho(session, request, id);
        else if constexpr (std::is_same_v<T, GetHistory>)
            onHistory(session, request, id);
        else if constexpr (std::is_same_v<T, Ping>)
            reply(session, Pong{}, id);
        else if constexpr (std::is_same_v<T, Quit>)
            onQuit(session, request);
        else if constexpr (std::is_same_v<T, Typing>)
            onTyping(session, request, id);
        else if constexpr (std::is_same_v<T, SetAway>)
            onAway(session, request, id);
        else if constexpr (std::is_same_v<T, MarkRead>)
            onRead(session, request, id);
        else if constexpr (std::is_same_v<T, GetPrivateHistory>)
            onPrivateHistory(session, request, id);
        else if constexpr (std::is_same_v<T, EditMessage>)
            onEdit(session, request, id);
        else if constexpr (std::is_same_v<T, DeleteMessage>)
            onDelete(session, request, id);
        else if constexpr (std::is_same_v<T, React>)
            onReact(session, request, id);
        else if constexpr (std::is_same_v<T, Register>)
            onRegister(session, request, id);
        else if constexpr (std::is_same_v<T, ChangePassword>)
            onChangePassword(session, request, id);
        else if constexpr (std::is_same_v<T, Claim>)
            onClaim(session, request, id);
        else if constexpr (std::is_same_v<T, Grant>)
            onGrant(session, request, id);
        else if constexpr (std::is_same_v<T, Kick>)
            onKick(session, request, id);
        else if constexpr (std::is_same_v<T, GetAudit>)
            onAudit(session, request, id);
        else if constexpr (std::is_same_v<T, Ban>)
            onBan(session, request, id);
        else if constexpr (std::is_same_v<T, Unban>)
            onUnban(session, request, id);
        else if constexpr (std::is_same_v<T, GetBanList>)
            onBanList(session, request, id);
        else if constexpr (std::is_same_v<T, Mute>)
            onMute(session, request, id);
        else if constexpr (std::is_same_v<T, Unmute>)
            onUnmute(session, request, id);
        else if constexpr (std::is_same_v<T, SetMode>)
            onMode(session, request, id);
        else if constexpr (std::is_same_v<T, Invite>)
            onInvite(session, request, id);
        else if constexpr (std::is_same_v<T, ServerBan>)
            onServerBan(session, request, id);
        else if constexpr (std::is_same_v<T, ServerUnban>)
            onServerUnban(session, request, id);
        else if constexpr (std::is_same_v<T, GetServerBanList>) {
            if (isServerOperatorOrError(session, id))
                reply(session, serverBanList(), id);
        }
        else
            static_assert(!sizeof(T), "a request type has no handler");
    }
}

bool ChatService::admitRequest(Session &session, const RequestRules::Rule &rule, QLatin1String type,
                               const QJsonValue &id)
{
    using RequestRules::Access;
    if (rule.who != Access::Anyone && !session.isIdentified()) {
        sendError(session, ErrorCode::NotIdentified, QStringLiteral("send hello first"), id);
        return false;
    }
    if (rule.who == Access::LoggedIn && !session.isLoggedIn()) {
        sendError(session, ErrorCode::NotLoggedIn,
                  QStringLiteral("%1 is for users logged in to an account").arg(type), id);
        return false;
    }
    if (rule.bucket == RequestRules::Bucket::None)
        return true;
    if (session.buckets.tryTake(rule.bucket, m_bucketSpecs[std::size_t(rule.bucket)], nowMs()))
        return true;
    // A typing notice over the limit is dropped: not worth an error line.
    if (rule.bucket != RequestRules::Bucket::Typing)
        sendError(session, ErrorCode::RateLimited, RequestRules::refusal(rule.bucket), id);
    return false;
}

// ------------------------------------------------------------ requests

void ChatService::onHello(Session &session, const Hello &hello, const QJsonValue &id)
{
    if (session.isIdentified()) {
        sendError(session, ErrorCode::AlreadyIdentified, QStringLiteral("you are %1 already").arg(session.nick), id);
        return;
    }
    if (hello.protocol.value_or(Defaults::ProtocolVersion) != Defaults::ProtocolVersion) {
        sendError(session, ErrorCode::ProtocolUnsupported,
                  QStringLiteral("this server speaks protocol %1").arg(Defaults::ProtocolVersion), id);
        return;
    }
    if (!m_settings.password.isEmpty()) {
        // Guessing is slowed down per address, not per connection: a new
        // connection does not buy new tries.
        const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
        if (const qint64 waitMs = m_passwordFailures.retryAfterMs(address, nowMs())) {
            lastWord([&] {
                sendError(session, ErrorCode::RateLimited,
                          QStringLiteral("too many wrong passwords from your address; try again in %1 s")
                                  .arg((waitMs + 999) / 1000),
                          id);
            });
            hangUp(session.connection, QStringLiteral("too many wrong passwords"));
            return;
        }
        if (!constantTimeEquals(hello.password.value_or(QString()).toUtf8(), m_settings.password.toUtf8())) {
            if (hello.password)
                m_passwordFailures.record(address, nowMs());
            sendError(session, ErrorCode::AuthFailed,
                      hello.password ? QStringLiteral("wrong password")
                                     : QStringLiteral("this server needs a password"),
                      id);
            return;
        }
    }
    if (!hello.login) {
        if (m_settings.requireAccount) {
            sendError(session, ErrorCode::LoginRequired,
                      QStringLiteral("this server is for registered users: log in with your account"), id);
            return;
        }
        admit(session, hello.nick, QString(), QString(), id);
        return;
    }

    const QString accountKey = nameKey(hello.login->account);
    const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
    const std::optional<LoginAttempt> attempt = beginLogin(session, accountKey, id);
    if (!attempt)
        return;
    // Read off this thread where the store can (a cluster's PostgreSQL);
    // the session's next requests wait, as for the hash.
    offloadToStore<std::optional<AccountStore::Account>>(
            session, [this, accountKey] { return m_accounts->loadAccount(accountKey); },
            [this, hello, attempt = *attempt, id](Session &later, const std::optional<AccountStore::Account> &account) {
                checkPassword(later, hello, account, attempt, id);
            });
}

std::optional<ChatService::LoginAttempt> ChatService::beginLogin(Session &session, const QString &accountKey,
                                                                 const QJsonValue &id)
{
    const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
    const qint64 now = nowMs();
    if (const qint64 waitMs = loginRetryAfterMs(accountKey, address)) {
        sendError(session, ErrorCode::RateLimited,
                  QStringLiteral("too many failed logins; try again in %1 s").arg((waitMs + 999) / 1000), id);
        return std::nullopt;
    }
    // Counted now, before the hash: attempts sent all at once (on many
    // connections) cannot each pass the check above.
    if (m_loginFailuresByAccount.isCrowded(accountKey, now) || m_loginFailuresByAddress.isCrowded(address, now)) {
        sendError(session, ErrorCode::RateLimited,
                  QStringLiteral("too many logins under way for this account or from your address; try again in a "
                                 "moment"),
                  id);
        return std::nullopt;
    }
    LoginAttempt attempt{accountKey, address, now, hashPriority(address, accountKey)};
    m_loginFailuresByAccount.begin(accountKey, now);
    m_loginFailuresByAddress.begin(address, now);
    return attempt;
}

void ChatService::finishLogin(const LoginAttempt &attempt, bool failed)
{
    m_loginFailuresByAccount.finish(attempt.accountKey, attempt.begunMs, failed, nowMs());
    m_loginFailuresByAddress.finish(attempt.address, attempt.begunMs, failed, nowMs());
    if (!failed)
        m_addressesLoggedIn.remember(attempt.address, nowMs());
}

int ChatService::hashPriority(const QString &address, const QString &accountKey)
{
    // Attempts already counted against the address or the account (failed
    // or under way) put a hash further back; an address that logged in
    // rightly before and has nothing against it goes first. So a storm of
    // guesses waits behind the next honest login.
    const qint64 now = nowMs();
    const qsizetype against = m_loginFailuresByAddress.count(address, now)
                              + (accountKey.isEmpty() ? 0 : m_loginFailuresByAccount.count(accountKey, now));
    if (against == 0 && m_addressesLoggedIn.contains(address, now))
        return -1;
    return int(against);
}

void ChatService::checkPassword(Session &session, const Hello &hello, const std::optional<AccountStore::Account> &account,
                                const LoginAttempt &attempt, const QJsonValue &id)
{
    // An account that does not exist is checked against a decoy hash, so
    // that it takes as long to refuse as a wrong password.
    const QByteArray storedHash = account ? account->passwordHash : PasswordHasher::decoy();
    const QString password = hello.login->password;
    const QString accountName = account ? account->name : QString();
    const bool queued = offload<bool>(
            session, {attempt.address, attempt.priority},
            [password, storedHash] { return PasswordHasher::verify(password, storedHash); },
            [this, nick = hello.nick, accountName, attempt, id](Session &later, const bool &matches) {
                const bool failed = !matches || accountName.isEmpty();
                finishLogin(attempt, failed);
                if (failed) {
                    sendError(later, ErrorCode::LoginFailed, QStringLiteral("wrong account or password"), id);
                    return;
                }
                // Made from the shell while the server runs, perhaps: its
                // nick is reserved from now on.
                m_accounts->noteAccount(attempt.accountKey);
                admit(later, nick, accountName, attempt.accountKey, id);
            },
            id);
    if (!queued)
        finishLogin(attempt, false);
}

void ChatService::admit(Session &session, const QString &nick, const QString &account, const QString &accountKey,
                        const QJsonValue &id)
{
    const QString key = nameKey(nick);
    if (!m_settings.operators.contains(accountKey)) {
        if (const Room::Ban *ban = serverBanFor({accountKey, nick, session.connection->peerAddress()})) {
            refuseBanned(session, *ban, id);
            return;
        }
    }
    if (m_users.contains(key) || m_claiming.contains(key)) {
        sendError(session, ErrorCode::NickTaken, QStringLiteral("%1 is taken").arg(nick), id);
        return;
    }
    if (key != accountKey && m_accounts->hasAccount(key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is a registered account; log in to use it").arg(nick), id);
        return;
    }
    if (key != accountKey && m_settings.operators.contains(key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is reserved for a server operator").arg(nick), id);
        return;
    }
    if (m_cluster) {
        claimNick(session, nick, id, [this, nick, account, accountKey, id](Session &later) {
            enter(later, nick, account, accountKey, id);
        });
        return;
    }
    enter(session, nick, account, accountKey, id);
}

void ChatService::enter(Session &session, const QString &nick, const QString &account, const QString &accountKey,
                        const QJsonValue &id)
{
    const QString key = nameKey(nick);
    session.nick = nick;
    session.nickKey = key;
    session.nickSinceMs = tenureStart(key);
    session.account = account;
    session.accountKey = accountKey;
    m_users.insert(key, &session);
    if (m_cluster)
        announceUser(session);
    session.connection->setSendQueueLimit(m_settings.limits.sendQueueBytes);
    if (account.isEmpty())
        qCInfo(lcChat).noquote() << session.connection->describe() << "identified as" << nick;
    else
        qCInfo(lcChat).noquote() << session.connection->describe() << "identified as" << nick << "logged in to"
                                 << account;
    reply(session,
          Welcome{nick, m_settings.serverName, Defaults::ProtocolVersion, m_settings.motd,
                  account.isEmpty() ? std::nullopt : std::optional<QString>(account)},
          id);
    deliverWaiting(session);
}

bool ChatService::isReservedFor(const Session &session, const QString &nickKey) const
{
    // An operator's nick is reserved even before its account exists.
    return nickKey != session.accountKey
           && (m_accounts->hasAccount(nickKey) || m_settings.operators.contains(nickKey));
}

qint64 ChatService::loginRetryAfterMs(const QString &accountKey, const QString &address)
{
    return std::max(m_loginFailuresByAccount.retryAfterMs(accountKey, nowMs()),
                    m_loginFailuresByAddress.retryAfterMs(address, nowMs()));
}

void ChatService::onRegister(Session &session, const Register &request, const QJsonValue &id)
{
    // Whoever registers an operator's name over the wire would operate the
    // server: those accounts are made on its machine.
    if (m_settings.operators.contains(session.nickKey)) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("%1 is a server operator's name: its account is made on the server's machine "
                                 "(confab-server account add %1)")
                          .arg(session.nick),
                  id);
        return;
    }
    if (m_accounts->hasAccount(session.nickKey)) {
        sendError(session, ErrorCode::AccountExists, QStringLiteral("%1 is registered already").arg(session.nick), id);
        return;
    }
    const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
    if (const qint64 waitMs = m_registrations.retryAfterMs(address, nowMs())) {
        sendError(session, ErrorCode::RateLimited,
                  QStringLiteral("at most %1 registrations an hour from one address; try again in %2 min")
                          .arg(Defaults::RegistrationsPerAddress)
                          .arg((waitMs + 59'999) / 60'000),
                  id);
        return;
    }
    // Counted now, before the hash: registrations sent all at once cannot
    // each pass the check above. One that fails is not counted.
    const qint64 begunMs = nowMs();
    if (m_registrations.isCrowded(address, begunMs)) {
        sendError(session, ErrorCode::RateLimited,
                  QStringLiteral("other registrations from your address are under way; try again in a moment"), id);
        return;
    }
    const int priority = int(m_registrations.count(address, begunMs) + m_loginFailuresByAddress.count(address, begunMs));
    m_registrations.begin(address, begunMs);
    const auto notCounted = [this, address, begunMs] { m_registrations.finish(address, begunMs, false, nowMs()); };
    const QString password = request.password;
    const bool queued = offload<QByteArray>(
            session, {address, priority}, [password] { return PasswordHasher::hash(password); },
            [this, address, begunMs, notCounted, id](Session &later, const QByteArray &hash) {
                if (hash.isEmpty()) {
                    notCounted();
                    accountNotStored(later, QStringLiteral("the password could not be hashed"), id);
                    return;
                }
                if (m_accounts->hasAccount(later.nickKey)) {
                    notCounted();
                    sendError(later, ErrorCode::AccountExists,
                              QStringLiteral("%1 is registered already").arg(later.nick), id);
                    return;
                }
                offloadWrite(
                        later,
                        [this, key = later.nickKey, account = AccountStore::Account{later.nick, hash, wallClockMs()}](
                                QString *error) { return m_accounts->createAccount(key, account, error); },
                        [this, address, begunMs, notCounted, id](Session &again, const std::optional<QString> &error) {
                            if (error) {
                                notCounted();
                                accountNotStored(again, *error, id);
                                return;
                            }
                            m_registrations.finish(address, begunMs, true, nowMs());
                            registered(again, id);
                        });
            },
            id);
    if (!queued)
        notCounted();
}

void ChatService::accountNotStored(Session &session, const QString &error, const QJsonValue &id)
{
    qCCritical(lcStore).noquote() << "cannot create an account:" << error;
    sendError(session, ErrorCode::StorageFailed,
              QStringLiteral("the server cannot store the account right now; try again"), id);
}

void ChatService::registered(Session &session, const QJsonValue &id)
{
    session.account = session.nick;
    session.accountKey = session.nickKey;
    if (m_cluster) {
        shareAccount(session.nickKey);
        announceUser(session); // with its account now
    }
    qCInfo(lcChat).noquote() << session.connection->describe() << "registered the account" << session.nick;
    reply(session, Registered{session.nick}, id);
}

void ChatService::onChangePassword(Session &session, const ChangePassword &request, const QJsonValue &id)
{
    // The old password is checked like a login: counted from now.
    const std::optional<LoginAttempt> attempt = beginLogin(session, session.accountKey, id);
    if (!attempt)
        return;
    offloadToStore<std::optional<AccountStore::Account>>(
            session, [this, key = session.accountKey] { return m_accounts->loadAccount(key); },
            [this, request, attempt = *attempt, id](Session &later, const std::optional<AccountStore::Account> &account) {
                changePassword(later, request, account, attempt, id);
            });
}

void ChatService::changePassword(Session &session, const ChangePassword &request,
                                 const std::optional<AccountStore::Account> &account, const LoginAttempt &attempt,
                                 const QJsonValue &id)
{
    const QByteArray storedHash = account ? account->passwordHash : PasswordHasher::decoy();
    struct Outcome
    {
        bool oldMatches = false;
        QByteArray newHash;
    };
    const QString oldPassword = request.oldPassword;
    const QString newPassword = request.newPassword;
    const bool queued = offload<Outcome>(
            session, {attempt.address, attempt.priority},
            [oldPassword, newPassword, storedHash] {
                Outcome outcome;
                outcome.oldMatches = PasswordHasher::verify(oldPassword, storedHash);
                if (outcome.oldMatches)
                    outcome.newHash = PasswordHasher::hash(newPassword);
                return outcome;
            },
            [this, attempt, id](Session &later, const Outcome &outcome) {
                // A wrong old password is a failed login for the account.
                finishLogin(attempt, !outcome.oldMatches);
                if (!outcome.oldMatches) {
                    sendError(later, ErrorCode::LoginFailed, QStringLiteral("the old password is wrong"), id);
                    return;
                }
                if (outcome.newHash.isEmpty()) {
                    passwordNotStored(later, QStringLiteral("the password could not be hashed"), id);
                    return;
                }
                offloadWrite(
                        later,
                        [this, key = later.accountKey, hash = outcome.newHash](QString *error) {
                            return m_accounts->setPasswordHash(key, hash, error);
                        },
                        [this, id](Session &again, const std::optional<QString> &error) {
                            if (error) {
                                passwordNotStored(again, *error, id);
                                return;
                            }
                            qCInfo(lcChat).noquote() << again.connection->describe() << "changed the password of"
                                                     << again.account;
                            reply(again, PasswordChanged{}, id);
                        });
            },
            id);
    if (!queued)
        finishLogin(attempt, false);
}

void ChatService::passwordNotStored(Session &session, const QString &error, const QJsonValue &id)
{
    qCCritical(lcStore).noquote() << "cannot change a password:" << error;
    sendError(session, ErrorCode::StorageFailed,
              QStringLiteral("the server cannot store the new password right now; try again"), id);
}

template <typename Result>
bool ChatService::offload(Session &session, const HashTicket &ticket, std::function<Result()> work,
                          std::function<void(Session &, const Result &)> done, const QJsonValue &id)
{
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    auto result = std::make_shared<Result>();
    HashQueue::Job job;
    job.address = ticket.address;
    job.network = HashQueue::networkOf(session.connection->peerAddress());
    job.priority = ticket.priority;
    job.work = [result, work = std::move(work)] { *result = work(); };
    job.done = [this, connection, serial, result, done = std::move(done)](bool ran) {
        if (ran)
            resumeAfterOffload(connection, serial, [&](Session &later) { done(later, *result); });
    };
    // Nobody waits for the hash of a session that has gone.
    job.wanted = [this, connection, serial] {
        const auto it = m_sessions.find(connection);
        return it != m_sessions.end() && it->second->serial == serial && !connection->isClosing();
    };
    switch (m_hashes->submit(std::move(job))) {
    case HashQueue::Admission::Queued:
        session.busy = true;
        return true;
    case HashQueue::Admission::AddressBusy:
        sendError(session, ErrorCode::RateLimited,
                  QStringLiteral("too many passwords from your address are being checked; try again in a moment"), id);
        return false;
    case HashQueue::Admission::Full:
        break;
    }
    sendError(session, ErrorCode::RateLimited,
              QStringLiteral("the server is busy checking passwords; try again in a moment"), id);
    return false;
}

template <typename Result>
void ChatService::offloadToStore(Session &session, std::function<Result()> work,
                                 std::function<void(Session &, const Result &)> done)
{
    if (!m_store->commitsInBackground()) {
        done(session, work());
        return;
    }
    session.busy = true;
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    auto result = std::make_shared<Result>();
    afterAcceptedCommits([this, connection, serial, result, work = std::move(work), done = std::move(done)] {
        m_store->offload(
                this, [work, result] { *result = work(); },
                [this, connection, serial, result, done] {
                    resumeAfterOffload(connection, serial, [&](Session &later) { done(later, *result); });
                });
    });
}

void ChatService::offloadWrite(Session &session, std::function<bool(QString *error)> write,
                               std::function<void(Session &, const std::optional<QString> &error)> done)
{
    offloadToStore<std::optional<QString>>(
            session,
            [write = std::move(write)]() -> std::optional<QString> {
                QString error;
                if (write(&error))
                    return std::nullopt;
                return error;
            },
            std::move(done));
}

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

void ChatService::onJoin(Session &session, const Join &join, const QJsonValue &id)
{
    const QString key = nameKey(join.room);
    Room *room = findRoom(key);
    const bool member = room && session.rooms.contains(room);
    if (!member && session.rooms.size() >= m_settings.limits.maxRoomsPerUser) {
        sendError(session, ErrorCode::TooManyRooms,
                  QStringLiteral("you are in %1 rooms, the most allowed").arg(session.rooms.size()), id);
        return;
    }
    if (!room) {
        if (m_store->commitsInBackground()) {
            // Read where the commits run; then this join again, the room open.
            openRoomThen(session, join.room, key, [this, join, id](Session &later) { onJoin(later, join, id); });
            return;
        }
        room = openRoom(join.room, key);
    }
    if (!member) {
        std::optional<std::pair<ErrorCode, QString>> refusal;
        const auto invitations = m_invitations.constFind(room->key);
        const bool invited = invitations != m_invitations.constEnd()
                             && (invitations->contains(userKey(session))
                                 || invitations->contains(QStringLiteral("nick:") + session.nickKey));
        const bool privileged = rankIn(session, room) >= Rank::Op;
        if (const Room::Ban *ban = banFor(session, room))
            refusal = {ErrorCode::Banned, bannedMessage(room, *ban)};
        else if (room->modes.inviteOnly && !privileged && !invited)
            refusal = {ErrorCode::InviteOnly, QStringLiteral("%1 is by invitation only").arg(room->name)};
        else if (!room->modes.key.isEmpty() && !privileged && !invited && join.key != room->modes.key)
            refusal = {ErrorCode::BadKey, QStringLiteral("%1 needs the right key to join").arg(room->name)};
        if (refusal) {
            sendError(session, refusal->first, refusal->second, id);
            if (room->members.isEmpty() && room->key != nameKey(QString::fromLatin1(Defaults::LobbyRoom)))
                closeRoom(room);
            return;
        }
        if (invited) {
            QSet<QString> &left = m_invitations[room->key];
            left.remove(userKey(session));
            left.remove(QStringLiteral("nick:") + session.nickKey);
            if (left.isEmpty())
                m_invitations.remove(room->key);
        }
        const QByteArray joined = encodeLine(UserJoined{room->name, session.nick});
        deliver(plainDelivery(room->members, joined));
        shareWithCluster({room->key}, joined);
        room->members.append(&session);
        session.rooms.append(room);
        if (m_cluster)
            announceMembership(session, room, true);
    }
    if (m_cluster) {
        // With the members on the other servers, once Redis has said who
        // they are.
        const QString key = room->key;
        askCluster(session, {"EVAL", membersScript(), "1", membersKey(room->key), m_serverId},
                   [this, key, id](Session &later, const std::optional<QVariant> &answer) {
                       if (Room *joined = findRoom(key))
                           replyJoined(later, joined, id, remoteMembers(answer));
                   });
        return;
    }
    replyJoined(session, room, id, {});
}

void ChatService::replyJoined(Session &session, Room *room, const QJsonValue &id, const QList<RemoteMember> &remote)
{
    QStringList members;
    members.reserve(room->members.size() + remote.size());
    StringMap roles;
    StringMap away;
    auto add = [&](const QString &nick, Rank rank, const std::optional<QString> &awayMessage) {
        members.append(nick);
        if (rank != Rank::Member)
            roles.insert(nick, rank == Rank::Op ? QStringLiteral("op") : QStringLiteral("owner"));
        if (awayMessage)
            away.insert(nick, *awayMessage);
    };
    for (const Session *other : std::as_const(room->members))
        add(other->nick, rankIn(*other, room), other->away);
    for (const RemoteMember &other : remote)
        add(other.nick, rankOf(other.accountKey, room), other.away);
    const RoomModes modes{room->modes.inviteOnly, !room->modes.key.isEmpty(), room->modes.topicLocked};
    QList<ChatMessage> recent = asSeenBy(session, room->recent);
    fitPage(recent, true); // older ones are a scroll back away
    reply(session, Joined{room->name, room->topic, members, recent, roles, modes,
                          away.isEmpty() ? std::nullopt : std::optional<StringMap>(away),
                          room->lastRev ? std::optional<qint64>(room->lastRev) : std::nullopt,
                          readMarker(session, u'#' + room->key)},
          id);
}

void ChatService::onLeave(Session &session, const Leave &leave, const QJsonValue &id)
{
    Room *room = joinedRoom(session, leave.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(leave.room), id);
        return;
    }
    const QString name = room->name;
    removeFromRoom(session, room, leave.reason.value_or(QString()));
    reply(session, Left{name}, id);
}

void ChatService::onSay(Session &session, const Say &say, const QJsonValue &id)
{
    Room *room = joinedRoom(session, say.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(say.room), id);
        return;
    }
    if (const ModerationStore::MuteRecord *mute = muteFor(session, room)) {
        QString why = mute->untilMs ? QStringLiteral("you are muted in %1 until %2")
                                              .arg(room->name, QDateTime::fromMSecsSinceEpoch(*mute->untilMs, Qt::UTC)
                                                                       .toString(Qt::ISODate))
                                    : QStringLiteral("you are muted in %1").arg(room->name);
        if (!mute->reason.isEmpty())
            why += QStringLiteral(": ") + mute->reason;
        sendError(session, ErrorCode::Muted, why, id);
        return;
    }
    scheduleCommit(room);
    session.typingPassedOn.remove(u'#' + room->key); // the message itself ends "typing"
    // An action is marked only when it is one: plain messages stay as v1 knew them.
    // In a cluster the database gives the seq at the commit.
    const ChatMessage message{room->name, session.nick, say.text, qMax(wallClockMs(), session.nickSinceMs),
                              m_cluster ? 0 : ++room->lastSeq,
                              say.action.value_or(false) ? std::optional<bool>(true) : std::nullopt,
                              std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    m_store->appendMessage(room->key, room->name, message, session.accountKey);

    Delivery delivery;
    delivery.chatMessage = true;
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    if (hasId(id))
        delivery.requester = &session;
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
    delivery.line = encodeLine(message);
    if (hasId(id))
        delivery.requesterLine = encodeLine(message, id);
    deliver(std::move(delivery));
}

QString ChatService::identity(const Session &session)
{
    return session.isLoggedIn() ? QStringLiteral("a:") + session.accountKey : QStringLiteral("n:") + session.nickKey;
}

QString ChatService::identityOf(const Target &target, const QString &nick) const
{
    const QString key = nameKey(nick);
    if (target.local)
        return identity(*target.local);
    if (target.remote) {
        return target.remote->accountKey.isEmpty() ? QStringLiteral("n:") + key
                                                   : QStringLiteral("a:") + target.remote->accountKey;
    }
    // Offline: a nick that is an account can only ever be that account's.
    return m_accounts->hasAccount(key) ? QStringLiteral("a:") + key : QStringLiteral("n:") + key;
}

QString ChatService::privatePair(const QString &one, const QString &other)
{
    return one < other ? one + u'\n' + other : other + u'\n' + one;
}

void ChatService::onWhisper(Session &session, const Whisper &whisper, const QJsonValue &id)
{
    Session *target = m_users.value(nameKey(whisper.to));
    if (target || !m_cluster) {
        sendWhisper(session, whisper, id, target, std::nullopt);
        return;
    }
    // Perhaps on another server.
    askCluster(session, {"EVAL", whereScript(), "2", leaseKey(nameKey(whisper.to)), presenceKey(nameKey(whisper.to))},
               [this, whisper, id](Session &later, const std::optional<QVariant> &answer) {
                   sendWhisper(later, whisper, id, m_users.value(nameKey(whisper.to)), remoteUser(answer));
               });
}

void ChatService::sendWhisper(Session &session, const Whisper &whisper, const QJsonValue &id, Session *target,
                              const std::optional<RemoteMember> &remote)
{
    // A registered account that is offline gets it when it next logs in; a
    // guest who is not here is nobody to wait for.
    const bool waiting = !target && !remote && m_accounts->hasAccount(nameKey(whisper.to));
    if (!target && !remote && !waiting) {
        sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not online").arg(whisper.to), id);
        return;
    }
    QString recipient = QStringLiteral("a:") + nameKey(whisper.to);
    if (target)
        recipient = identity(*target);
    else if (remote)
        recipient = remote->accountKey.isEmpty() ? QStringLiteral("n:") + nameKey(remote->nick)
                                                 : QStringLiteral("a:") + remote->accountKey;
    session.typingPassedOn.remove(nameKey(whisper.to));
    const std::optional<QString> away = target ? target->away : remote ? remote->away : std::nullopt;
    if (away && target != &session) {
        const QString nick = target ? target->nick : remote->nick;
        deliver(plainDelivery({&session}, encodeLine(AwayChanged{nick, away}))); // as IRC's RPL_AWAY
    }

    const QString pair = privatePair(identity(session), recipient);
    qint64 &lastSeq = privateSeq(pair);
    scheduleCommit(Undo{nullptr, lastSeq, 0, QString(), pair});
    PrivateMessage message{session.nick, target ? target->nick : remote ? remote->nick : whisper.to, whisper.text,
                           qMax(wallClockMs(), session.nickSinceMs),
                           whisper.action.value_or(false) ? std::optional<bool>(true) : std::nullopt, ++lastSeq,
                           std::nullopt};
    m_store->appendPrivate(pair, recipient, message, !waiting);

    // Stored first, then sent (storage_failed to the sender otherwise).
    Delivery delivery = plainDelivery(target && target != &session ? QList<Session *>{target, &session}
                                                                   : QList<Session *>{&session},
                                      encodeLine(message));
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    delivery.requester = &session;
    if (m_cluster) {
        delivery.numbered = Delivery::Numbered::Private;
        delivery.privateMessage = message;
        delivery.privateWaiting = waiting;
        if (remote) {
            delivery.remoteRecipient = {remote->server, nameKey(remote->nick)};
            if (!remote->accountKey.isEmpty())
                delivery.remoteAccountPair = pair;
        }
    }
    if (waiting)
        message.waiting = true;
    delivery.requesterLine = encodeLine(message, id);
    deliver(std::move(delivery));
}

qint64 ChatService::knownPrivateSeq(const QString &pair)
{
    // A read marker may name any conversation: one with no message yet is
    // not kept, or a guest naming thousands of nicks would make the server
    // keep them all.
    if (const auto known = m_privateSeqs.constFind(pair); known != m_privateSeqs.constEnd())
        return *known;
    commitAndDeliver(); // so that the store's highest seq is the real one
    const qint64 stored = m_store->lastPrivateSeq(pair);
    if (stored > 0)
        m_privateSeqs.insert(pair, stored);
    return stored;
}

qint64 &ChatService::privateSeq(const QString &pair)
{
    auto known = m_privateSeqs.find(pair);
    if (known == m_privateSeqs.end()) {
        // Where the database numbers them at the commit, what this server
        // counts is only a stand-in until then: nothing to read.
        qint64 stored = 0;
        if (!m_store->numbersAtCommit()) {
            commitAndDeliver(); // so that the store's highest seq is the real one
            stored = m_store->lastPrivateSeq(pair);
        }
        known = m_privateSeqs.insert(pair, stored);
    }
    return *known;
}

void ChatService::onPrivateHistory(Session &session, const GetPrivateHistory &request, const QJsonValue &id)
{
    findUser(session, request.with, QString(), [this, request, id](Session &later, const Target &target) {
        privateHistory(later, request, identityOf(target, request.with), id);
    });
}

void ChatService::privateHistory(Session &session, const GetPrivateHistory &request, const QString &peer,
                                 const QJsonValue &id)
{
    commitBeforeRead(); // the page must include what was accepted in this pass
    const QString pair = privatePair(identity(session), peer);
    MessageStore::HistoryQuery query{request.before, request.after, request.limit.value_or(Defaults::HistoryPage),
                                     std::nullopt};
    // A guest reads only what was said while it has had the nick: the next
    // guest of that name reads nothing of the last one's.
    const qint64 notBefore = session.isLoggedIn() ? 0 : session.nickSinceMs;
    offloadToStore<QList<PrivateMessage>>(
            session, [this, pair, query, notBefore] { return m_store->privateHistory(pair, query, notBefore); },
            [this, with = request.with, peer, newest = !request.after, id](Session &later,
                                                                           const QList<PrivateMessage> &page) {
                QList<PrivateMessage> fitted = page;
                const bool cut = fitPage(fitted, newest);
                reply(later, PrivatePage{with, fitted, readMarker(later, u'@' + peer), moreIf(cut)}, id);
            });
}

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
        m_store->offload(
                this,
                [this, account = session.accountKey, conversation, seq = request.seq] {
                    m_store->setReadMarker(account, conversation, seq);
                },
                [] {});
        // The account's other sessions (another device) hear it too.
        QList<Session *> others;
        for (Session *other : std::as_const(m_users)) {
            if (other != &session && other->accountKey == session.accountKey) {
                other->readMarkers.insert(conversation, request.seq);
                others.append(other);
            }
        }
        if (!others.isEmpty())
            deliver(plainDelivery(others, encodeLine(marker)));
        if (m_cluster) {
            publishNote({{QStringLiteral("reader"), session.accountKey},
                         {QStringLiteral("conversation"), conversation},
                         {QStringLiteral("seq"), request.seq}},
                        encodeLine(marker));
        }
    }
    if (hasId(id))
        reply(session, marker, id);
}

void ChatService::deliverWaiting(Session &session)
{
    if (!session.isLoggedIn())
        return;
    commitBeforeRead();
    constexpr int MaxWaiting = 1000;
    // Its next requests wait for the markers (a join answers with them).
    using Arrival = std::pair<QHash<QString, qint64>, QList<PrivateMessage>>;
    offloadToStore<Arrival>(
            session,
            [this, account = session.accountKey, recipient = identity(session)] {
                return Arrival{m_store->readMarkers(account), m_store->takeWaiting(recipient, MaxWaiting)};
            },
            [this](Session &later, const Arrival &arrival) {
                // Merged: another device's marker may have come meanwhile.
                for (auto it = arrival.first.cbegin(); it != arrival.first.cend(); ++it)
                    later.readMarkers.insert(it.key(), qMax(it.value(), later.readMarkers.value(it.key())));
                for (const PrivateMessage &message : arrival.second)
                    reply(later, message, QJsonValue());
            });
}

// ------------------------------------------- edits, deletions, reactions

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
    Delivery delivery = plainDelivery(room->members, encodeLine(event));
    delivery.update = event;
    if (m_cluster) {
        delivery.numbered = Delivery::Numbered::Update;
        delivery.room = room;
        delivery.message = message;
        delivery.updatedBy = session.nick;
        delivery.clusterRooms = {room->key};
    }
    delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.authorId = id;
    if (hasId(id)) {
        delivery.requester = &session;
        delivery.requesterLine = encodeLine(event, id);
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

QList<Session *> ChatService::roomPeers(Session &session) const
{
    QSet<Session *> peers;
    for (const Room *room : std::as_const(session.rooms)) {
        for (Session *member : room->members)
            peers.insert(member);
    }
    peers.remove(&session);
    return peers.values();
}

void ChatService::onAway(Session &session, const SetAway &request, const QJsonValue &id)
{
    const QString message = request.message.value_or(QString()).trimmed();
    session.away = message.isEmpty() ? std::nullopt : std::optional<QString>(message);
    const AwayChanged presence{session.nick, session.away};
    // Everyone who shares a room hears it once; the user hears it as the answer.
    const QList<Session *> audience = roomPeers(session);
    if (!audience.isEmpty())
        deliver(plainDelivery(audience, encodeLine(presence)));
    shareWithCluster(roomKeys(session), encodeLine(presence));
    if (m_cluster) {
        announceUser(session);
        // Answered once Redis has it (it runs one connection's commands in
        // order): from then on every server's member lists show it.
        askCluster(session, {"PING"}, [this, presence, id](Session &later, const std::optional<QVariant> &) {
            reply(later, presence, id);
        });
        return;
    }
    reply(session, presence, id);
}

void ChatService::onTyping(Session &session, const Typing &typing, const QJsonValue &id)
{
    if (typing.room.has_value() == typing.to.has_value()) {
        sendError(session, ErrorCode::BadRequest, QStringLiteral("typing needs either room or to"), id);
        return;
    }
    if (typing.to) {
        findUser(session, *typing.to, QString(), [this, typing, id](Session &later, const Target &target) {
            this->typing(later, typing, target, id);
        });
        return;
    }
    this->typing(session, typing, Target{}, id);
}

void ChatService::typing(Session &session, const Typing &typing, const Target &target, const QJsonValue &id)
{
    // Passed on at most once every few seconds per conversation (a "done"
    // only after a notice that was passed on): typing costs the others
    // little, and never counts against what the user may say.
    constexpr qint64 TypingIntervalMs = 3000;
    QList<Session *> audience;
    QString conversationKey;
    Typing notice{std::nullopt, std::nullopt, session.nick,
                  typing.done.value_or(false) ? std::optional<bool>(true) : std::nullopt};
    if (typing.room) {
        Room *room = joinedRoom(session, *typing.room);
        if (!room) {
            sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(*typing.room), id);
            return;
        }
        if (muteFor(session, room))
            return; // the muted say nothing, not even that they are typing
        notice.room = room->name;
        conversationKey = u'#' + room->key;
        for (Session *member : std::as_const(room->members)) {
            if (member != &session)
                audience.append(member);
        }
    } else {
        if (!target.found()) {
            sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not online").arg(*typing.to), id);
            return;
        }
        notice.to = target.nick();
        conversationKey = nameKey(target.nick());
        if (target.local && target.local != &session)
            audience.append(target.local);
    }
    const qint64 now = nowMs();
    const auto last = session.typingPassedOn.constFind(conversationKey);
    const bool recentlyPassedOn = last != session.typingPassedOn.constEnd() && now - *last < TypingIntervalMs;
    if (notice.done) {
        if (last == session.typingPassedOn.constEnd())
            return; // nobody was told they were typing
        session.typingPassedOn.remove(conversationKey);
    } else {
        if (recentlyPassedOn)
            return;
        session.typingPassedOn.insert(conversationKey, now);
    }
    if (!audience.isEmpty())
        deliver(plainDelivery(audience, encodeLine(notice)));
    if (notice.room)
        shareWithCluster({nameKey(*notice.room)}, encodeLine(notice));
    else if (target.remote)
        publishNote({{QStringLiteral("to"), conversationKey}}, encodeLine(notice), target.remote->server);
}

void ChatService::onNick(Session &session, const ChangeNick &change, const QJsonValue &id)
{
    const QString key = nameKey(change.nick);
    if (key != session.nickKey && (m_users.contains(key) || m_claiming.contains(key))) {
        sendError(session, ErrorCode::NickTaken, QStringLiteral("%1 is taken").arg(change.nick), id);
        return;
    }
    if (key != session.nickKey && isReservedFor(session, key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is a registered account; log in to use it").arg(change.nick), id);
        return;
    }
    if (m_cluster && key != session.nickKey) {
        claimNick(session, change.nick, id, [this, change, id](Session &later) { changeNick(later, change, id); });
        return;
    }
    changeNick(session, change, id);
}

void ChatService::changeNick(Session &session, const ChangeNick &change, const QJsonValue &id)
{
    const QString key = nameKey(change.nick);
    const NickChanged event{session.nick, change.nick};
    releaseNick(session.nickKey);
    session.nick = change.nick;
    session.nickKey = key;
    session.nickSinceMs = tenureStart(key);
    m_users.insert(key, &session);
    if (m_cluster) {
        announceUser(session);
        for (Room *room : std::as_const(session.rooms)) {
            announceMembership(event.oldNick, room, false);
            announceMembership(session, room, true);
        }
    }
    qCInfo(lcChat).noquote() << session.connection->describe() << "is now" << change.nick;

    // Everyone who shares a room hears it once, however many rooms they share.
    const QList<Session *> audience = roomPeers(session);
    if (event.oldNick != event.newNick && !audience.isEmpty())
        deliver(plainDelivery(audience, encodeLine(event)));
    if (event.oldNick != event.newNick)
        shareWithCluster(roomKeys(session), encodeLine(event));
    reply(session, event, id);
}

void ChatService::onTopic(Session &session, const SetTopic &request, const QJsonValue &id)
{
    Room *room = joinedRoom(session, request.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(request.room), id);
        return;
    }
    if (room->modes.topicLocked && rankIn(session, room) < Rank::Op) {
        sendError(session, ErrorCode::TopicLocked, QStringLiteral("only ops may set the topic of %1").arg(room->name),
                  id);
        return;
    }
    scheduleCommit(room);
    room->topic = request.topic;
    m_store->saveTopic(room->key, room->name, room->topic);
    const TopicChanged event{room->name, room->topic, session.nick};
    Delivery delivery = plainDelivery(room->members, encodeLine(event));
    delivery.requester = delivery.author = &session;
    delivery.onlyIfStored = true;
    delivery.requesterLine = encodeLine(event, id);
    delivery.authorId = id;
    delivery.clusterRooms = {room->key};
    deliver(std::move(delivery));
}

void ChatService::onList(Session &session, const QJsonValue &id)
{
    if (!m_cluster) {
        replyList(session, {}, {}, id);
        return;
    }
    askCluster(session, {"EVAL", roomsScript(), "0", m_serverId},
               [this, id](Session &later, const std::optional<QVariant> &answer) {
                   const QList<RemoteRoom> remote = remoteRooms(answer);
                   QStringList elsewhere;
                   for (const RemoteRoom &other : remote) {
                       if (!findRoom(other.key))
                           elsewhere.append(other.key);
                   }
                   // The topics of rooms open only elsewhere are in the store.
                   offloadToStore<QHash<QString, QString>>(
                           later,
                           [this, elsewhere] {
                               QHash<QString, QString> topics;
                               for (const QString &key : elsewhere) {
                                   if (const auto record = m_store->loadRoom(key))
                                       topics.insert(key, record->topic);
                               }
                               return topics;
                           },
                           [this, remote, id](Session &again, const QHash<QString, QString> &topics) {
                               replyList(again, remote, topics, id);
                           });
               });
}

void ChatService::replyList(Session &session, const QList<RemoteRoom> &remote, const QHash<QString, QString> &topics,
                            const QJsonValue &id)
{
    RoomList list;
    list.rooms.reserve(qsizetype(m_rooms.size()) + remote.size());
    QHash<QString, int> elsewhere;
    for (const RemoteRoom &other : remote)
        elsewhere.insert(other.key, other.members);
    for (const auto &[key, room] : m_rooms)
        list.rooms.append(RoomInfo{room->name, room->topic, int(room->members.size()) + elsewhere.take(key)});
    for (const RemoteRoom &other : remote) {
        if (elsewhere.contains(other.key)) // else open here, counted above
            list.rooms.append(RoomInfo{other.name, topics.value(other.key), other.members});
    }
    // However many rooms there are, the answer stays within a size every
    // client accepts: past it, the rooms with the most members, and `more`.
    const auto sizeOf = [](const RoomInfo &room) {
        return 48 + jsonStringBytes(room.name) + jsonStringBytes(room.topic);
    };
    qsizetype bytes = 0;
    for (const RoomInfo &room : std::as_const(list.rooms))
        bytes += sizeOf(room);
    if (bytes > Defaults::RoomListBytes) {
        std::stable_sort(list.rooms.begin(), list.rooms.end(),
                         [](const RoomInfo &a, const RoomInfo &b) { return a.members > b.members; });
        qsizetype kept = 0;
        for (bytes = 0; kept < list.rooms.size(); ++kept) {
            bytes += sizeOf(list.rooms.at(kept));
            if (bytes > Defaults::RoomListBytes)
                break;
        }
        list.rooms.resize(kept);
        list.more = true;
    }
    std::sort(list.rooms.begin(), list.rooms.end(), [](const RoomInfo &a, const RoomInfo &b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    reply(session, list, id);
}

void ChatService::onWho(Session &session, const Who &who, const QJsonValue &id)
{
    MemberList list;
    if (who.room) {
        const Room *room = findRoom(nameKey(*who.room));
        list.room = room ? room->name : *who.room;
        if (room) {
            for (const Session *member : room->members)
                list.members.append(member->nick);
        }
    } else {
        for (const Session *user : std::as_const(m_users))
            list.members.append(user->nick);
        list.members.sort(Qt::CaseInsensitive);
    }
    if (!m_cluster) {
        reply(session, list, id);
        return;
    }
    // And who is on the other servers.
    const QByteArray key = who.room ? membersKey(nameKey(*who.room)) : usersKey();
    askCluster(session, {"EVAL", membersScript(), "1", key, m_serverId},
               [this, list, id, everyone = !who.room](Session &later, const std::optional<QVariant> &answer) {
                   MemberList all = list;
                   for (const RemoteMember &other : remoteMembers(answer))
                       all.members.append(other.nick);
                   if (everyone)
                       all.members.sort(Qt::CaseInsensitive);
                   reply(later, all, id);
               });
}

void ChatService::onHistory(Session &session, const GetHistory &request, const QJsonValue &id)
{
    // The page must include messages accepted in this pass.
    commitBeforeRead();
    const MessageStore::HistoryQuery query{request.before, request.after,
                                           request.limit.value_or(Defaults::HistoryPage), request.changedAfter};
    const QString key = nameKey(request.room);
    if (Room *open = findRoom(key)) {
        if (!mayReadHistory(session, open, id))
            return;
        const QString name = open->name;
        offloadToStore<QList<ChatMessage>>(
                session, [this, key, name, query] { return m_store->history(key, name, query); },
                [this, name, newest = !request.after && !request.changedAfter, id](Session &later,
                                                                                     const QList<ChatMessage> &page) {
                    QList<ChatMessage> fitted = asSeenBy(later, page);
                    const bool cut = fitPage(fitted, newest);
                    reply(later, HistoryPage{name, fitted, moreIf(cut)}, id);
                });
        return;
    }
    // A room nobody here is in: its name, modes and bans come from the
    // store with the page.
    using Read = std::pair<Room, QList<ChatMessage>>;
    offloadToStore<Read>(
            session,
            [this, key, name = request.room, query] {
                Room room;
                room.key = key;
                room.name = name;
                readRoom(room, false);
                return Read{room, m_store->history(key, room.name, query)};
            },
            [this, newest = !request.after && !request.changedAfter, id](Session &later, const Read &read) {
                Room room = read.first;
                if (!mayReadHistory(later, &room, id))
                    return;
                QList<ChatMessage> fitted = asSeenBy(later, read.second);
                const bool cut = fitPage(fitted, newest);
                reply(later, HistoryPage{room.name, fitted, moreIf(cut)}, id);
            });
}

bool ChatService::mayReadHistory(Session &session, Room *room, const QJsonValue &id)
{
    const bool closed = room->modes.inviteOnly || !room->modes.key.isEmpty();
    if (closed && !session.rooms.contains(room)) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("the history of %1 is for its members").arg(room->name),
                  id);
        return false;
    }
    if (const Room::Ban *ban = banFor(session, room)) {
        sendError(session, ErrorCode::Banned, bannedMessage(room, *ban), id);
        return false;
    }
    return true;
}

void ChatService::commitBeforeRead()
{
    // With a commit thread, offloadToStore() sees to it.
    if (!m_store->commitsInBackground())
        commitAndDeliver();
}

void ChatService::onQuit(Session &session, const Quit &quit)
{
    // At once, not when the transport is done closing: the others hear it
    // now, and the nick is free for a reconnect straight away.
    session.quitReason = quit.reason.value_or(QString());
    endPresence(session, *session.quitReason);
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

bool ChatService::isServerOperator(const Session &session) const
{
    return session.isLoggedIn() && m_settings.operators.contains(session.accountKey);
}

Rank ChatService::rankIn(const Session &session, const Room *room) const
{
    return rankOf(session.accountKey, room);
}

Rank ChatService::rankOf(const QString &accountKey, const Room *room) const
{
    if (accountKey.isEmpty())
        return Rank::Member;
    if (m_settings.operators.contains(accountKey))
        return Rank::ServerOperator;
    return room ? room->roles.value(accountKey, Rank::Member) : Rank::Member;
}

void ChatService::storeModeration(Session &session, const QString &roomKey, const QString &what,
                                  std::function<bool(QString *error)> write, const QJsonValue &id,
                                  std::function<void(Session &, Room *)> then)
{
    offloadWrite(
            session, std::move(write),
            [this, roomKey, what, id, then](Session &later, const std::optional<QString> &error) {
                if (error) {
                    qCCritical(lcStore).noquote() << "cannot store" << what << "-" << *error;
                    sendError(later, ErrorCode::StorageFailed,
                              QStringLiteral("the server cannot store %1 right now").arg(what), id);
                    return;
                }
                Room *room = roomKey.isEmpty() ? nullptr : findRoom(roomKey);
                if (!roomKey.isEmpty() && !room) {
                    // Stored; the room closed meanwhile reads it when it opens.
                    sendError(later, ErrorCode::NotInRoom, QStringLiteral("you are no longer in that room"), id);
                    return;
                }
                then(later, room);
            });
}

void ChatService::audit(Session &actor, Room *room, const QString &action, const QString &target,
                        const QString &reason)
{
    const ModerationStore::AuditRecord record{wallClockMs(),
                                              actor.isLoggedIn() ? actor.account : actor.nick,
                                              action,
                                              room ? std::optional<QString>(room->name) : std::nullopt,
                                              target.isEmpty() ? std::nullopt : std::optional<QString>(target),
                                              reason};
    m_store->offload(
            this,
            [this, roomKey = room ? room->key : QString(), record] {
                QString error;
                if (!m_moderation->appendAudit(roomKey, record, &error))
                    qCCritical(lcStore).noquote() << "cannot write the audit log:" << error;
            },
            [] {});
    qCInfo(lcChat).noquote() << actor.connection->describe() << action << (room ? room->name : QString()) << target
                             << reason;
}

void ChatService::changeRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                             const QJsonValue &id, std::function<void(Session &, Room *)> then)
{
    storeModeration(
            actor, room->key, QStringLiteral("the role"),
            [this, roomKey = room->key, accountKey, rank](QString *error) {
                return m_moderation->setRole(roomKey, accountKey, rank, error);
            },
            id,
            [this, accountKey, nick, rank, id, then](Session &later, Room *room) {
                applyRole(later, room, accountKey, nick, rank, id);
                then(later, room);
            });
}

void ChatService::applyRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                            const QJsonValue &id)
{
    if (rank == Rank::Member)
        room->roles.remove(accountKey);
    else
        room->roles.insert(accountKey, rank);
    const QString role = rank == Rank::Owner ? QStringLiteral("owner")
                         : rank == Rank::Op  ? QStringLiteral("op")
                                             : QStringLiteral("member");
    tellRoom(actor, room, RoleChanged{room->name, nick, role, actor.nick}, id);
}

void ChatService::onClaim(Session &session, const Claim &request, const QJsonValue &id)
{
    Room *room = joinedRoom(session, request.room);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(request.room), id);
        return;
    }
    const auto alreadyOwned = [this, id, name = room->name](Session &later) {
        sendError(later, ErrorCode::AlreadyOwned, QStringLiteral("%1 has an owner already").arg(name), id);
    };
    for (auto it = room->roles.cbegin(); it != room->roles.cend(); ++it) {
        if (it.value() == Rank::Owner) {
            alreadyOwned(session);
            return;
        }
    }
    // The database decides (another server may be taking it right now).
    using Outcome = std::pair<ModerationStore::ClaimOutcome, QString>;
    offloadToStore<Outcome>(
            session,
            [this, roomKey = room->key, account = session.accountKey] {
                QString error;
                const ModerationStore::ClaimOutcome outcome = m_moderation->claimRoom(roomKey, account, &error);
                return Outcome{outcome, error};
            },
            [this, roomKey = room->key, alreadyOwned, id](Session &later, const Outcome &outcome) {
                Room *room = findRoom(roomKey);
                switch (outcome.first) {
                case ModerationStore::ClaimOutcome::AlreadyOwned:
                    alreadyOwned(later);
                    return;
                case ModerationStore::ClaimOutcome::Failed:
                    qCCritical(lcStore).noquote() << "cannot store a claim -" << outcome.second;
                    sendError(later, ErrorCode::StorageFailed,
                              QStringLiteral("the server cannot store the role right now"), id);
                    return;
                case ModerationStore::ClaimOutcome::Claimed:
                    break;
                }
                if (!room) {
                    sendError(later, ErrorCode::NotInRoom, QStringLiteral("you are no longer in that room"), id);
                    return;
                }
                applyRole(later, room, later.accountKey, later.nick, Rank::Owner, id);
                audit(later, room, QStringLiteral("claim"), later.nick, QString());
            });
}

void ChatService::onGrant(Session &session, const Grant &request, const QJsonValue &id)
{
    if (!joinedRoomOrError(session, request.room, id))
        return;
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        grant(later, request, target, id);
    });
}

void ChatService::grant(Session &session, const Grant &request, const Target &target, const QJsonValue &id)
{
    Room *room = joinedRoomOrError(session, request.room, id);
    if (!room || !foundOrError(session, target, request.nick, id))
        return;
    if (target.accountKey().isEmpty()) {
        sendError(session, ErrorCode::NotLoggedIn,
                  QStringLiteral("%1 is not logged in: roles belong to accounts").arg(target.nick()), id);
        return;
    }
    if (!Permissions::permits(Action::Grant, rankIn(session, room), rankOf(target.accountKey(), room))) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("only the owner of %1 gives and takes roles, and not to someone of equal rank")
                          .arg(room->name),
                  id);
        return;
    }
    const Rank rank = request.role == QLatin1String("op") ? Rank::Op : Rank::Member;
    changeRole(session, room, target.accountKey(), target.nick(), rank, id,
               [this, nick = target.nick(), role = request.role](Session &later, Room *changed) {
                   audit(later, changed, QStringLiteral("grant"), nick, role);
               });
}

void ChatService::onKick(Session &session, const Kick &request, const QJsonValue &id)
{
    const Room *room = joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    findUser(session, request.nick, room->key, [this, request, id](Session &later, const Target &target) {
        kick(later, request, target, id);
    });
}

void ChatService::kick(Session &session, const Kick &request, const Target &target, const QJsonValue &id)
{
    Room *room = joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    if (!target.found() || !target.isIn(room)) {
        sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not in %2").arg(request.nick, room->name),
                  id);
        return;
    }
    if (!Permissions::permits(Action::Kick, rankIn(session, room), rankOf(target.accountKey(), room))) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("you may not kick %1 from %2").arg(target.nick(), room->name), id);
        return;
    }
    const QString reason = request.reason.value_or(QString());
    const Kicked event{room->name, target.nick(), session.nick, reason};
    Delivery delivery = plainDelivery(room->members, encodeLine(event));
    delivery.requester = &session;
    delivery.requesterLine = encodeLine(event, id);
    // The server the user is on takes them out of the room.
    delivery.clusterRooms = {room->key};
    delivery.clusterNote = {{QStringLiteral("kick"), nameKey(target.nick())}};
    deliver(std::move(delivery));
    audit(session, room, QStringLiteral("kick"), target.nick(), reason);
    if (target.local) {
        removeFromRoom(*target.local, room, reason, false);
    } else {
        // Out of the room's members in Redis at once, on this server's own
        // connection, so that what this server asks next sees it gone.
        m_cluster->call({"SREM", membersKey(room->key),
                         target.remote->server + '|' + nameKey(target.nick()).toUtf8()});
    }
}

void ChatService::onAudit(Session &session, const GetAudit &request, const QJsonValue &id)
{
    const std::optional<QString> roomKey = request.room ? std::optional<QString>(nameKey(*request.room)) : std::nullopt;
    if (!roomKey && !isServerOperator(session)) {
        sendError(session, ErrorCode::NotPermitted, QStringLiteral("the server's audit log is for its operators"),
                  id);
        return;
    }
    const Room *open = roomKey ? findRoom(*roomKey) : nullptr;
    if (open && !mayReadAudit(session, open, *request.room, id))
        return;
    // For a room nobody here is in, its roles are read with the page.
    const bool closed = roomKey && !open;
    using Read = std::pair<Room, QList<ModerationStore::AuditRecord>>;
    offloadToStore<Read>(
            session,
            [this, roomKey, closed, before = request.before, limit = request.limit.value_or(Defaults::HistoryPage)] {
                Room room;
                if (closed)
                    room.roles = m_moderation->loadRoles(*roomKey);
                return Read{room, m_moderation->audit(roomKey, before, limit)};
            },
            [this, closed, name = request.room, id](Session &later, const Read &read) {
                if (closed && !mayReadAudit(later, &read.first, *name, id))
                    return;
                AuditPage page;
                for (const ModerationStore::AuditRecord &record : read.second)
                    page.entries.append(AuditEntry{record.ts, record.actor, record.action, record.room, record.target,
                                                   record.reason});
                reply(later, page, id);
            });
}

bool ChatService::mayReadAudit(Session &session, const Room *room, const QString &name, const QJsonValue &id)
{
    if (Permissions::permits(Action::ReadAudit, rankIn(session, room)))
        return true;
    sendError(session, ErrorCode::NotPermitted, QStringLiteral("the audit log of %1 is for its ops").arg(name), id);
    return false;
}

Room *ChatService::moderatedRoom(Session &session, const QString &name, Action action, const QJsonValue &id)
{
    Room *room = joinedRoom(session, name);
    if (!room) {
        sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(name), id);
        return nullptr;
    }
    if (!Permissions::permits(action, rankIn(session, room))) {
        sendError(session, ErrorCode::NotPermitted, QStringLiteral("that is for the ops of %1").arg(room->name), id);
        return nullptr;
    }
    return room;
}

const Room::Ban *ChatService::banFor(const Session &session, Room *room)
{
    // The owner, and server operators, are never kept out of their room.
    if (rankIn(session, room) >= Rank::Owner)
        return nullptr;
    dropExpired(room->bans);
    const Mask::Subject subject{session.accountKey, session.nick, session.connection->peerAddress()};
    for (const Room::Ban &ban : std::as_const(room->bans)) {
        if (ban.mask.matches(subject))
            return &ban;
    }
    return nullptr;
}

QString ChatService::bannedMessage(const Room *room, const Room::Ban &ban) const
{
    QString message = ban.record.untilMs
                              ? QStringLiteral("you are banned from %1 until %2")
                                        .arg(room->name,
                                             QDateTime::fromMSecsSinceEpoch(*ban.record.untilMs, Qt::UTC)
                                                     .toString(Qt::ISODate))
                              : QStringLiteral("you are banned from %1").arg(room->name);
    if (!ban.record.reason.isEmpty())
        message += QStringLiteral(": ") + ban.record.reason;
    return message;
}

BanList ChatService::banList(Room *room)
{
    dropExpired(room->bans);
    return BanList{room->name, banEntries(room->bans)};
}

void ChatService::onBan(Session &session, const Ban &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Ban, id);
    if (!room)
        return;
    const std::optional<Mask> mask = maskOrError(session, request.mask, id);
    if (!mask)
        return;
    const QString reason = request.reason.value_or(QString());
    const ModerationStore::BanRecord record{
            mask->text(), session.isLoggedIn() ? session.account : session.nick, reason,
            untilAfter(request.duration)};
    storeModeration(
            session, room->key, QStringLiteral("the ban"),
            [this, roomKey = room->key, maskKey = mask->key(), record](QString *error) {
                return m_moderation->putBan(roomKey, maskKey, record, error);
            },
            id,
            [this, mask = *mask, record, reason, id](Session &later, Room *room) {
                room->bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); });
                room->bans.append(Room::Ban{mask, record});
                audit(later, room, QStringLiteral("ban"), mask.text(), reason);

                const Rank setter = rankIn(later, room);
                if (m_cluster) {
                    // Every server takes its own members out, once it has the ban.
                    publishNote({{QStringLiteral("rooms"), QJsonArray{room->key}},
                                 {QStringLiteral("reload"), true},
                                 {QStringLiteral("ban"), mask.text()},
                                 {QStringLiteral("rank"), int(setter)},
                                 {QStringLiteral("by"), later.nick},
                                 {QStringLiteral("reason"), reason}},
                                QByteArray());
                }
                const QString roomKey = room->key;
                enforceRoomBan(room, mask, setter, later.nick, reason);
                // The last member may have left with the ban; the setter never does.
                if (Room *still = findRoom(roomKey))
                    reply(later, banList(still), id);
            });
}

void ChatService::enforceRoomBan(Room *room, const Mask &mask, Rank setter, const QString &by, const QString &reason)
{
    const QList<Session *> members = room->members;
    for (Session *member : members) {
        const Mask::Subject subject{member->accountKey, member->nick, member->connection->peerAddress()};
        if (!mask.matches(subject) || rankIn(*member, room) >= setter)
            continue;
        Delivery delivery = plainDelivery(
                room->members,
                encodeLine(Kicked{room->name, member->nick, by, reason.isEmpty() ? QStringLiteral("banned") : reason}));
        delivery.clusterRooms = {room->key};
        deliver(std::move(delivery));
        removeFromRoom(*member, room, reason, false);
    }
}

void ChatService::onUnban(Session &session, const Unban &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Ban, id);
    if (!room)
        return;
    const std::optional<Mask> mask = maskOrError(session, request.mask, id);
    if (!mask)
        return;
    storeModeration(
            session, room->key, QStringLiteral("the unban"),
            [this, roomKey = room->key, maskKey = mask->key()](QString *error) {
                return m_moderation->removeBan(roomKey, maskKey, error);
            },
            id,
            [this, mask = *mask, id](Session &later, Room *room) {
                if (room->bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); }) > 0)
                    audit(later, room, QStringLiteral("unban"), mask.text(), QString());
                reply(later, banList(room), id);
                if (m_cluster) {
                    publishNote({{QStringLiteral("rooms"), QJsonArray{room->key}}, {QStringLiteral("reload"), true}},
                                QByteArray());
                }
            });
}

void ChatService::onBanList(Session &session, const GetBanList &request, const QJsonValue &id)
{
    if (Room *room = moderatedRoom(session, request.room, Action::Ban, id))
        reply(session, banList(room), id);
}

QString ChatService::userKey(const Session &session)
{
    return session.isLoggedIn() ? QStringLiteral("account:") + session.accountKey
                                : QStringLiteral("nick:") + session.nickKey;
}

QString ChatService::userKey(const Target &target)
{
    return target.local ? userKey(*target.local)
           : target.accountKey().isEmpty() ? QStringLiteral("nick:") + nameKey(target.nick())
                                           : QStringLiteral("account:") + target.accountKey();
}

const ModerationStore::MuteRecord *ChatService::muteFor(const Session &session, Room *room)
{
    const qint64 now = wallClockMs();
    room->mutes.removeIf([now](const ModerationStore::MuteRecord &mute) { return isOver(mute, now); });
    const QString byAccount = session.isLoggedIn() ? QStringLiteral("account:") + session.accountKey : QString();
    const QString byNick = QStringLiteral("nick:") + session.nickKey;
    for (const ModerationStore::MuteRecord &mute : std::as_const(room->mutes)) {
        if (mute.target == byNick || (!byAccount.isEmpty() && mute.target == byAccount))
            return &mute;
    }
    return nullptr;
}

template <typename T>
void ChatService::tellRoom(Session &requester, Room *room, const T &event, const QJsonValue &id)
{
    QList<Session *> audience = room->members;
    if (!audience.contains(&requester))
        audience.append(&requester);
    Delivery delivery = plainDelivery(audience, encodeLine(event));
    delivery.requester = &requester;
    delivery.requesterLine = encodeLine(event, id);
    // Each of these is about a change of the room's moderation, which the
    // other servers read again from the store before passing it on.
    delivery.clusterRooms = {room->key};
    delivery.clusterNote = {{QStringLiteral("reload"), true}};
    deliver(std::move(delivery));
}

void ChatService::onMute(Session &session, const Mute &request, const QJsonValue &id)
{
    if (!moderatedRoom(session, request.room, Action::Mute, id))
        return;
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        mute(later, request, target, id);
    });
}

void ChatService::mute(Session &session, const Mute &request, const Target &target, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Mute, id);
    if (!room)
        return;
    if (!foundOrError(session, target, request.nick, id))
        return;
    if (!Permissions::permits(Action::Mute, rankIn(session, room), rankOf(target.accountKey(), room))) {
        sendError(session, ErrorCode::NotPermitted, QStringLiteral("you may not mute %1").arg(target.nick()), id);
        return;
    }
    const ModerationStore::MuteRecord mute{
            userKey(target), session.isLoggedIn() ? session.account : session.nick, request.reason.value_or(QString()),
            untilAfter(request.duration)};
    storeModeration(
            session, room->key, QStringLiteral("the mute"),
            [this, roomKey = room->key, mute](QString *error) { return m_moderation->putMute(roomKey, mute, error); },
            id,
            [this, mute, nick = target.nick(), id](Session &later, Room *room) {
                room->mutes.removeIf([&](const ModerationStore::MuteRecord &old) { return old.target == mute.target; });
                room->mutes.append(mute);
                audit(later, room, QStringLiteral("mute"), nick, mute.reason);
                tellRoom(later, room, Muted{room->name, nick, later.nick, mute.untilMs}, id);
            });
}

void ChatService::onUnmute(Session &session, const Unmute &request, const QJsonValue &id)
{
    if (!moderatedRoom(session, request.room, Action::Mute, id))
        return;
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        unmute(later, request, target, id);
    });
}

void ChatService::unmute(Session &session, const Unmute &request, const Target &target, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::Mute, id);
    if (!room)
        return;
    // By the user's account if it is online and logged in, and by the nick.
    QStringList targets{QStringLiteral("nick:") + nameKey(request.nick)};
    if (target.found())
        targets.append(userKey(target));
    storeModeration(
            session, room->key, QStringLiteral("the unmute"),
            [this, roomKey = room->key, targets](QString *error) {
                for (const QString &target : targets) {
                    if (!m_moderation->removeMute(roomKey, target, error))
                        return false;
                }
                return true;
            },
            id,
            [this, targets, nick = request.nick, id](Session &later, Room *room) {
                room->mutes.removeIf(
                        [&](const ModerationStore::MuteRecord &mute) { return targets.contains(mute.target); });
                audit(later, room, QStringLiteral("unmute"), nick, QString());
                tellRoom(later, room, Unmuted{room->name, nick, later.nick}, id);
            });
}

void ChatService::onMode(Session &session, const SetMode &request, const QJsonValue &id)
{
    Room *room = moderatedRoom(session, request.room, Action::SetMode, id);
    if (!room)
        return;
    ModerationStore::Modes modes = room->modes;
    if (request.inviteOnly)
        modes.inviteOnly = *request.inviteOnly;
    if (request.key)
        modes.key = *request.key;
    if (request.topicLocked)
        modes.topicLocked = *request.topicLocked;
    storeModeration(
            session, room->key, QStringLiteral("the modes"),
            [this, roomKey = room->key, modes](QString *error) { return m_moderation->saveModes(roomKey, modes, error); },
            id,
            [this, modes, id](Session &later, Room *room) {
                room->modes = modes;
                // The key itself stays out of the log and the event.
                audit(later, room, QStringLiteral("mode"), QString(),
                      QStringLiteral("invite_only=%1 key=%2 topic_locked=%3")
                              .arg(modes.inviteOnly ? u"on" : u"off", modes.key.isEmpty() ? u"none" : u"set",
                                   modes.topicLocked ? u"on" : u"off"));
                tellRoom(later, room,
                         ModeChanged{room->name, modes.inviteOnly, !modes.key.isEmpty(), modes.topicLocked, later.nick},
                         id);
            });
}

void ChatService::onInvite(Session &session, const Invite &request, const QJsonValue &id)
{
    const Room *room = joinedRoomOrError(session, request.room, id);
    if (!room)
        return;
    if (!Permissions::permits(Action::Invite, rankIn(session, room), std::nullopt, room->modes.inviteOnly)) {
        sendError(session, ErrorCode::NotPermitted,
                  QStringLiteral("only the ops of %1 invite, while it is by invitation only").arg(room->name), id);
        return;
    }
    findUser(session, request.nick, QString(), [this, request, id](Session &later, const Target &target) {
        invite(later, request, target, id);
    });
}

void ChatService::invite(Session &session, const Invite &request, const Target &target, const QJsonValue &id)
{
    Room *room = joinedRoomOrError(session, request.room, id);
    if (!room || !foundOrError(session, target, request.nick, id))
        return;
    const Invited event{room->name, target.nick(), session.nick};
    if (target.remote) {
        // Kept by the user's server, where they will join.
        publishNote({{QStringLiteral("to"), nameKey(target.nick())},
                     {QStringLiteral("invite"), room->key},
                     {QStringLiteral("user"), userKey(target)}},
                    encodeLine(event), target.remote->server);
    } else {
        m_invitations[room->key].insert(userKey(target));
        if (target.local != &session)
            deliver(plainDelivery({target.local}, encodeLine(event)));
    }
    reply(session, event, id);
}

std::optional<Mask> ChatService::maskOrError(Session &session, const QString &text, const QJsonValue &id)
{
    QString error;
    std::optional<Mask> mask = Mask::parse(text, &error);
    if (!mask)
        sendError(session, ErrorCode::BadRequest, error, id);
    return mask;
}

bool ChatService::isServerOperatorOrError(Session &session, const QJsonValue &id)
{
    if (isServerOperator(session))
        return true;
    sendError(session, ErrorCode::NotPermitted, QStringLiteral("server bans are for server operators"), id);
    return false;
}

const Room::Ban *ChatService::serverBanFor(const Mask::Subject &subject, bool addressesOnly)
{
    dropExpired(m_serverBans);
    for (const Room::Ban &ban : std::as_const(m_serverBans)) {
        if (addressesOnly && ban.mask.kind() != Mask::Kind::Address)
            continue;
        if (ban.mask.matches(subject))
            return &ban;
    }
    return nullptr;
}

void ChatService::refuseBanned(Session &session, const Room::Ban &ban, const QJsonValue &id)
{
    QString message = ban.record.untilMs
                              ? QStringLiteral("you are banned from this server until %1")
                                        .arg(QDateTime::fromMSecsSinceEpoch(*ban.record.untilMs, Qt::UTC)
                                                     .toString(Qt::ISODate))
                              : QStringLiteral("you are banned from this server");
    if (!ban.record.reason.isEmpty())
        message += QStringLiteral(": ") + ban.record.reason;
    serverMetrics().refused(ServerMetrics::Refusal::Banned);
    lastWord([&] { sendError(session, ErrorCode::Banned, message, id); });
    hangUp(session.connection, QStringLiteral("banned"));
}

ServerBanList ChatService::serverBanList()
{
    dropExpired(m_serverBans);
    return ServerBanList{banEntries(m_serverBans)};
}

void ChatService::onServerBan(Session &session, const ServerBan &request, const QJsonValue &id)
{
    if (!isServerOperatorOrError(session, id))
        return;
    const std::optional<Mask> mask = maskOrError(session, request.mask, id);
    if (!mask)
        return;
    const QString reason = request.reason.value_or(QString());
    const ModerationStore::BanRecord record{
            mask->text(), session.account, reason,
            untilAfter(request.duration)};
    storeModeration(
            session, QString(), QStringLiteral("the server ban"),
            [this, maskKey = mask->key(), record](QString *error) {
                return m_moderation->putBan(QString(), maskKey, record, error);
            },
            id,
            [this, mask = *mask, record, reason, id](Session &later, Room *) {
                m_serverBans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); });
                m_serverBans.append(Room::Ban{mask, record});
                audit(later, nullptr, QStringLiteral("server_ban"), mask.text(), reason);
                reply(later, serverBanList(), id);
                if (m_cluster) {
                    publishNote({{QStringLiteral("serverBans"), true},
                                 {QStringLiteral("ban"), mask.text()},
                                 {QStringLiteral("reason"), reason}},
                                QByteArray());
                }
                enforceServerBan(mask, reason);
            });
}

void ChatService::enforceServerBan(const Mask &mask, const QString &reason)
{
    // Never an operator.
    const QString why = reason.isEmpty() ? QStringLiteral("banned from this server") : reason;
    for (const auto &[connection, other] : m_sessions) {
        if (connection->isClosing() || isServerOperator(*other))
            continue;
        if (!mask.matches({other->accountKey, other->nick, connection->peerAddress()}))
            continue;
        closeSession(*other, why);
    }
}

void ChatService::onServerUnban(Session &session, const ServerUnban &request, const QJsonValue &id)
{
    if (!isServerOperatorOrError(session, id))
        return;
    const std::optional<Mask> mask = maskOrError(session, request.mask, id);
    if (!mask)
        return;
    storeModeration(
            session, QString(), QStringLiteral("the server unban"),
            [this, maskKey = mask->key()](QString *error) { return m_moderation->removeBan(QString(), maskKey, error); },
            id,
            [this, mask = *mask, id](Session &later, Room *) {
                if (m_serverBans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); }) > 0)
                    audit(later, nullptr, QStringLiteral("server_unban"), mask.text(), QString());
                reply(later, serverBanList(), id);
                if (m_cluster)
                    publishNote({{QStringLiteral("serverBans"), true}}, QByteArray());
            });
}

// ------------------------------------------------------------ rooms

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

void ChatService::loadModeration(Room &room) const
{
    room.roles = m_moderation->loadRoles(room.key);
    room.mutes = m_moderation->loadMutes(room.key);
    room.modes = m_moderation->loadModes(room.key);
    room.bans = loadBans(room.key);
}

QList<Room::Ban> ChatService::loadBans(const QString &roomKey) const
{
    QList<Room::Ban> bans;
    for (const ModerationStore::BanRecord &record : m_moderation->loadBans(roomKey)) {
        QString error;
        if (const auto mask = Mask::parse(record.mask, &error))
            bans.append(Room::Ban{*mask, record});
    }
    return bans;
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
    if (m_cluster)
        m_cluster->subscribe(roomChannel(key));
    return raw;
}

void ChatService::removeFromRoom(Session &session, Room *room, const QString &reason, bool announce)
{
    if (m_cluster)
        announceMembership(session, room, false);
    session.rooms.removeOne(room);
    room->members.removeOne(&session);
    const QByteArray left = encodeLine(UserLeft{room->name, session.nick, reason});
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

// ------------------------------------------------------------ sending

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

template <typename T>
void ChatService::reply(Session &session, const T &message, const QJsonValue &id)
{
    Delivery delivery = plainDelivery({&session}, encodeLine(message, id));
    session.turnAnswerBytes += delivery.line.size();
    delivery.answer = true;
    deliver(std::move(delivery));
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
    if (!session.log.take(nowMs(), &unlogged))
        return;
    if (unlogged > 0) {
        qCInfo(lcChat).noquote() << session.connection->describe() << line
                                 << QStringLiteral("(and %1 more lines about it not logged)").arg(unlogged);
    } else {
        qCInfo(lcChat).noquote() << session.connection->describe() << line;
    }
}

ChatService::Delivery ChatService::plainDelivery(QList<Session *> recipients, QByteArray line)
{
    Delivery delivery;
    delivery.recipients = std::move(recipients);
    delivery.line = std::move(line);
    return delivery;
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
        shareWithCluster(delivery.clusterRooms, delivery.line, delivery.clusterNote);
    if (delivery.update) {
        sendUpdate(*delivery.update, delivery.recipients, delivery.requester, delivery.authorId);
        return;
    }
    for (Session *recipient : delivery.recipients) {
        const bool own = recipient == delivery.requester;
        sendLine(recipient, own ? delivery.requesterLine : delivery.line, delivery.answer);
    }
}

void ChatService::sendLine(Session *recipient, const QByteArray &line, bool answer)
{
    if (Q_UNLIKELY(m_faults))
        m_faults->send(recipient->connection, line);
    else
        recipient->connection->send(line, answer);
}

void ChatService::sendUpdate(const MessageUpdated &event, const QList<Session *> &recipients,
                             const Session *requester, const QJsonValue &requesterId)
{
    const ReactionView view(event.message);
    QHash<quint32, QByteArray> lines; // by the kinds the reader chose: most choose none
    for (Session *recipient : recipients) {
        const quint32 chosen = view.chosenBy(recipient->nickKey);
        if (recipient == requester) {
            sendLine(recipient, encodeLine(MessageUpdated{event.by, view.forReader(chosen)}, requesterId));
            continue;
        }
        auto line = lines.constFind(chosen);
        if (line == lines.constEnd())
            line = lines.insert(chosen, encodeLine(MessageUpdated{event.by, view.forReader(chosen)}));
        sendLine(recipient, *line);
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
            delivery.author->connection->send(encodeLine(
                    Error{ErrorCode::StorageFailed,
                          QStringLiteral("the server cannot store messages right now; nothing was sent, try again")},
                    delivery.authorId));
        }
    }
    Connection::flushAll();
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
            m_privateSeqs.insert(it->privatePair, it->lastSeq);
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

void ChatService::releaseNick(const QString &key)
{
    if (m_cluster)
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
        m_passwordFailures.forgetExpired(now);
        m_loginFailuresByAccount.forgetExpired(now);
        m_loginFailuresByAddress.forgetExpired(now);
        m_registrations.forgetExpired(now);
        m_addressesLoggedIn.forgetOld(now);
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
    if (it != m_sessions.end() && !it->second->quitReason) {
        Session &session = *it->second;
        session.quitReason = reason;
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
    m_livenessTimer.stop();
    commitAndDeliver();
    for (const auto &[connection, session] : m_sessions) {
        if (!connection->isClosing())
            closeSession(*session, reason);
    }
    if (m_sessions.empty())
        emit drained();
}
