// Accounts over the wire: logging in, register, change_password, the
// server password (accounts.h).

#include "accounts.h"
#include "chatinternal.h"

#include "accountstore.h"
#include "connection.h"
#include "connectionlimiter.h"
#include "hashqueue.h"
#include "passwordhasher.h"

#include "logging.h"
#include "names.h"

#include <algorithm>

using namespace Confab::Protocol;
using namespace ChatInternal;

Accounts::Accounts(ChatCore &core)
    : m_core(core)
    , m_passwordFailures(Defaults::PasswordFailuresPerAddress, Defaults::PasswordFailureWindowMs)
    , m_loginFailuresByAccount(Defaults::LoginFailures, Defaults::LoginFailureWindowMs)
    , m_loginFailuresByAddress(Defaults::LoginFailures, Defaults::LoginFailureWindowMs)
    , m_registrations(Defaults::RegistrationsPerAddress, Defaults::RegistrationWindowMs)
    , m_hashes(std::make_unique<HashQueue>())
{
}

Accounts::~Accounts() = default;

void Accounts::stop()
{
    m_hashes.reset();
}

void Accounts::forgetExpired(qint64 nowMs)
{
    m_passwordFailures.forgetExpired(nowMs);
    m_loginFailuresByAccount.forgetExpired(nowMs);
    m_loginFailuresByAddress.forgetExpired(nowMs);
    m_registrations.forgetExpired(nowMs);
    m_addressesLoggedIn.forgetOld(nowMs);
}

qint64 Accounts::serverPasswordRetryAfterMs(const QString &address)
{
    return m_passwordFailures.retryAfterMs(address, m_core.nowMs());
}

void Accounts::serverPasswordWrong(const QString &address)
{
    m_passwordFailures.record(address, m_core.nowMs());
}

void Accounts::logIn(Session &session, const Credentials &login, const QJsonValue &id, Admitted admitted)
{
    const QString accountKey = nameKey(login.account);
    const std::optional<LoginAttempt> attempt = beginLogin(session, accountKey, id);
    if (!attempt)
        return;
    // Read off this thread where the store can (a cluster's PostgreSQL);
    // the session's next requests wait, as for the hash.
    m_core.offloadToStore<std::optional<AccountStore::Account>>(
            session, [this, accountKey] { return m_core.accounts().loadAccount(accountKey); },
            [this, login, attempt = *attempt, id, admitted](Session &later,
                                                            const std::optional<AccountStore::Account> &account) {
                checkPassword(later, login, account, attempt, id, admitted);
            });
}

// Hashing a password runs on the hash queue's thread; the session waits.
template <typename Result>
bool Accounts::hash(Session &session, const HashTicket &ticket, std::function<Result()> work,
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
            m_core.resumeAfterOffload(connection, serial, [&](Session &later) { done(later, *result); });
    };
    // Nobody waits for the hash of a session that has gone.
    job.wanted = [this, connection, serial] { return m_core.isCurrent(connection, serial); };
    switch (m_hashes->submit(std::move(job))) {
    case HashQueue::Admission::Queued:
        session.busy = true;
        return true;
    case HashQueue::Admission::AddressBusy:
        m_core.sendError(session, ErrorCode::RateLimited,
                         QStringLiteral("too many passwords from your address are being checked; try again in a moment"), id);
        return false;
    case HashQueue::Admission::Full:
        break;
    }
    m_core.sendError(session, ErrorCode::RateLimited,
                     QStringLiteral("the server is busy checking passwords; try again in a moment"), id);
    return false;
}

std::optional<Accounts::LoginAttempt> Accounts::beginLogin(Session &session, const QString &accountKey,
                                                           const QJsonValue &id)
{
    const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
    const qint64 now = m_core.nowMs();
    if (const qint64 waitMs = loginRetryAfterMs(accountKey, address)) {
        m_core.sendError(session, ErrorCode::RateLimited,
                         QStringLiteral("too many failed logins; try again in %1 s").arg((waitMs + 999) / 1000), id);
        return std::nullopt;
    }
    // Counted now, before the hash: attempts sent all at once (on many
    // connections) cannot each pass the check above.
    if (m_loginFailuresByAccount.isCrowded(accountKey, now) || m_loginFailuresByAddress.isCrowded(address, now)) {
        m_core.sendError(session, ErrorCode::RateLimited,
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

void Accounts::finishLogin(const LoginAttempt &attempt, bool failed)
{
    m_loginFailuresByAccount.finish(attempt.accountKey, attempt.begunMs, failed, m_core.nowMs());
    m_loginFailuresByAddress.finish(attempt.address, attempt.begunMs, failed, m_core.nowMs());
    if (!failed)
        m_addressesLoggedIn.remember(attempt.address, m_core.nowMs());
}

int Accounts::hashPriority(const QString &address, const QString &accountKey)
{
    // Attempts already counted against the address or the account (failed
    // or under way) put a hash further back; an address that logged in
    // rightly before and has nothing against it goes first. So a storm of
    // guesses waits behind the next honest login.
    const qint64 now = m_core.nowMs();
    const qsizetype against = m_loginFailuresByAddress.count(address, now)
                              + (accountKey.isEmpty() ? 0 : m_loginFailuresByAccount.count(accountKey, now));
    if (against == 0 && m_addressesLoggedIn.contains(address, now))
        return -1;
    return int(against);
}

void Accounts::checkPassword(Session &session, const Credentials &login,
                             const std::optional<AccountStore::Account> &account, const LoginAttempt &attempt,
                             const QJsonValue &id, const Admitted &admitted)
{
    // An account that does not exist is checked against a decoy hash, so
    // that it takes as long to refuse as a wrong password.
    const QByteArray storedHash = account ? account->passwordHash : PasswordHasher::decoy();
    const QString password = login.password;
    const QString accountName = account ? account->name : QString();
    const bool queued = hash<bool>(
            session, {attempt.address, attempt.priority},
            [password, storedHash] { return PasswordHasher::verify(password, storedHash); },
            [this, accountName, attempt, id, admitted](Session &later, const bool &matches) {
                const bool failed = !matches || accountName.isEmpty();
                finishLogin(attempt, failed);
                if (failed) {
                    m_core.sendError(later, ErrorCode::LoginFailed, QStringLiteral("wrong account or password"), id);
                    return;
                }
                // Made from the shell while the server runs, perhaps: its
                // nick is reserved from now on.
                m_core.accounts().noteAccount(attempt.accountKey);
                admitted(later, accountName, attempt.accountKey);
            },
            id);
    if (!queued)
        finishLogin(attempt, false);
}

qint64 Accounts::loginRetryAfterMs(const QString &accountKey, const QString &address)
{
    return std::max(m_loginFailuresByAccount.retryAfterMs(accountKey, m_core.nowMs()),
                    m_loginFailuresByAddress.retryAfterMs(address, m_core.nowMs()));
}

void Accounts::onRegister(Session &session, const Register &request, const QJsonValue &id)
{
    // Whoever registers an operator's name over the wire would operate the
    // server: those accounts are made on its machine.
    if (m_core.isOperatorAccount(session.nickKey)) {
        m_core.sendError(session, ErrorCode::NotPermitted,
                         QStringLiteral("%1 is a server operator's name: its account is made on the server's machine "
                                 "(confab-server account add %1)")
                          .arg(session.nick),
                         id);
        return;
    }
    if (m_core.accounts().hasAccount(session.nickKey)) {
        m_core.sendError(session, ErrorCode::AccountExists, QStringLiteral("%1 is registered already").arg(session.nick), id);
        return;
    }
    const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
    if (const qint64 waitMs = m_registrations.retryAfterMs(address, m_core.nowMs())) {
        m_core.sendError(session, ErrorCode::RateLimited,
                         QStringLiteral("at most %1 registrations an hour from one address; try again in %2 min")
                          .arg(Defaults::RegistrationsPerAddress)
                          .arg((waitMs + 59'999) / 60'000),
                         id);
        return;
    }
    // Counted now, before the hash: registrations sent all at once cannot
    // each pass the check above. One that fails is not counted.
    const qint64 begunMs = m_core.nowMs();
    if (m_registrations.isCrowded(address, begunMs)) {
        m_core.sendError(session, ErrorCode::RateLimited,
                         QStringLiteral("other registrations from your address are under way; try again in a moment"), id);
        return;
    }
    const int priority = int(m_registrations.count(address, begunMs) + m_loginFailuresByAddress.count(address, begunMs));
    m_registrations.begin(address, begunMs);
    const auto notCounted = [this, address, begunMs] { m_registrations.finish(address, begunMs, false, m_core.nowMs()); };
    const QString password = request.password;
    const bool queued = hash<QByteArray>(
            session, {address, priority}, [password] { return PasswordHasher::hash(password); },
            [this, address, begunMs, notCounted, id](Session &later, const QByteArray &hash) {
                if (hash.isEmpty()) {
                    notCounted();
                    accountNotStored(later, QStringLiteral("the password could not be hashed"), id);
                    return;
                }
                if (m_core.accounts().hasAccount(later.nickKey)) {
                    notCounted();
                    m_core.sendError(later, ErrorCode::AccountExists,
                                     QStringLiteral("%1 is registered already").arg(later.nick), id);
                    return;
                }
                m_core.offloadWrite(
                        later,
                        [this, key = later.nickKey, account = AccountStore::Account{later.nick, hash, wallClockMs()}](
                                QString *error) { return m_core.accounts().createAccount(key, account, error); },
                        [this, address, begunMs, notCounted, id](Session &again, const std::optional<QString> &error) {
                            if (error) {
                                notCounted();
                                accountNotStored(again, *error, id);
                                return;
                            }
                            m_registrations.finish(address, begunMs, true, m_core.nowMs());
                            registered(again, id);
                        });
            },
            id);
    if (!queued)
        notCounted();
}

void Accounts::accountNotStored(Session &session, const QString &error, const QJsonValue &id)
{
    qCCritical(lcStore).noquote() << "cannot create an account:" << error;
    m_core.sendError(session, ErrorCode::StorageFailed,
                     QStringLiteral("the server cannot store the account right now; try again"), id);
}

void Accounts::registered(Session &session, const QJsonValue &id)
{
    session.account = session.nick;
    session.accountKey = session.nickKey;
    m_core.shareAccount(session.nickKey);
    m_core.announceUser(session); // with its account now
    qCInfo(lcChat).noquote() << session.connection->describe() << "registered the account" << session.nick;
    m_core.reply(session, Registered{session.nick}, id);
}

void Accounts::onChangePassword(Session &session, const ChangePassword &request, const QJsonValue &id)
{
    // The old password is checked like a login: counted from now.
    const std::optional<LoginAttempt> attempt = beginLogin(session, session.accountKey, id);
    if (!attempt)
        return;
    m_core.offloadToStore<std::optional<AccountStore::Account>>(
            session, [this, key = session.accountKey] { return m_core.accounts().loadAccount(key); },
            [this, request, attempt = *attempt, id](Session &later, const std::optional<AccountStore::Account> &account) {
                changePassword(later, request, account, attempt, id);
            });
}

void Accounts::changePassword(Session &session, const ChangePassword &request,
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
    const bool queued = hash<Outcome>(
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
                    m_core.sendError(later, ErrorCode::LoginFailed, QStringLiteral("the old password is wrong"), id);
                    return;
                }
                if (outcome.newHash.isEmpty()) {
                    passwordNotStored(later, QStringLiteral("the password could not be hashed"), id);
                    return;
                }
                m_core.offloadWrite(
                        later,
                        [this, key = later.accountKey, hash = outcome.newHash](QString *error) {
                            return m_core.accounts().setPasswordHash(key, hash, error);
                        },
                        [this, id](Session &again, const std::optional<QString> &error) {
                            if (error) {
                                passwordNotStored(again, *error, id);
                                return;
                            }
                            qCInfo(lcChat).noquote() << again.connection->describe() << "changed the password of"
                                                     << again.account;
                            m_core.reply(again, PasswordChanged{}, id);
                        });
            },
            id);
    if (!queued)
        finishLogin(attempt, false);
}

void Accounts::passwordNotStored(Session &session, const QString &error, const QJsonValue &id)
{
    qCCritical(lcStore).noquote() << "cannot change a password:" << error;
    m_core.sendError(session, ErrorCode::StorageFailed,
                     QStringLiteral("the server cannot store the new password right now; try again"), id);
}
