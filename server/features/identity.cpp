// Who a user is: hello (a guest or a login), nick, register,
// change_password, reserved nicks and operators' names (protocol sections 5,
// 6 and 12).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"
#include "hashqueue.h"

#include "accountstore.h"
#include "connectionlimiter.h"
#include "hashqueue.h"
#include "passwordhasher.h"

#include "logging.h"
#include "names.h"

#include <algorithm>

using namespace Confab::Protocol;
using namespace ChatInternal;

// Hashing a password runs on the hash queue's thread; the session waits.
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
        if (const Room::Ban *ban = m_serverBans.banFor({accountKey, nick, session.connection->peerAddress()})) {
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
    claimNick(session, nick, id, [this, nick, account, accountKey, id](Session &later) {
        enter(later, nick, account, accountKey, id);
    });
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
    m_privateChat.deliverWaiting(session);
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
    shareAccount(session.nickKey);
    announceUser(session); // with its account now
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
    if (key != session.nickKey) {
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
    announceUser(session);
    for (Room *room : std::as_const(session.rooms)) {
        announceMembership(event.oldNick, room, false);
        announceMembership(session, room, true);
    }
    qCInfo(lcChat).noquote() << session.connection->describe() << "is now" << change.nick;

    // Everyone who shares a room hears it once, however many rooms they share.
    const QList<Session *> audience = ChatCore::roomPeers(session);
    if (event.oldNick != event.newNick && !audience.isEmpty())
        deliver(plainDelivery(audience, encode(event)));
    if (event.oldNick != event.newNick)
        shareWithCluster(roomKeys(session), encode(event));
    reply(session, event, id);
}
