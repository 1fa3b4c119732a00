#pragma once

#include "accountstore.h"
#include "chatcore.h"
#include "failurethrottle.h"
#include "knownaddresses.h"

#include <functional>
#include <memory>

class HashQueue;

// Accounts over the wire (protocol section 12): logging in with hello,
// register, change_password, and the server password. Every password is
// hashed on one thread of its own (deliberately slow, and however many
// arrive at once one core stays free for the chat), and guessing is slowed
// per account and per address: failures count from when an attempt is
// accepted until its hash says, so attempts sent all at once cannot each
// pass the check. Admitting the user once a login worked is the core's.
class Accounts final
{
public:
    explicit Accounts(ChatCore &core);
    ~Accounts();

    // Hello's server password, guessed per address (a new connection buys
    // no new tries): how long until it may be tried again (0: now), and a
    // wrong one counted.
    qint64 serverPasswordRetryAfterMs(const QString &address);
    void serverPasswordWrong(const QString &address);
    // Hello's login: the account read and its password checked; then
    // `admitted` with the account's name and key (else login_failed).
    using Admitted = std::function<void(Session &, const QString &account, const QString &accountKey)>;
    void logIn(Session &session, const Confab::Protocol::Credentials &login, const QJsonValue &id, Admitted admitted);
    void onRegister(Session &session, const Confab::Protocol::Register &request, const QJsonValue &id);
    void onChangePassword(Session &session, const Confab::Protocol::ChangePassword &request, const QJsonValue &id);

    // Forgets what the throttles count that has expired (every few seconds).
    void forgetExpired(qint64 nowMs);
    // No hash finishes from now on (the service is going).
    void stop();

private:
    // A password checked for an account (a login, or the old password of
    // change_password): counted against the account and the address from
    // when it is accepted (beginLogin(), which refuses it if too many are
    // failed or under way) until its hash says (finishLogin()).
    struct LoginAttempt
    {
        QString accountKey;
        QString address;
        qint64 begunMs = 0;
        int priority = 0; // in the hashing queue
    };
    std::optional<LoginAttempt> beginLogin(Session &session, const QString &accountKey, const QJsonValue &id);
    void finishLogin(const LoginAttempt &attempt, bool failed);
    // Where a hash for this address (and account) goes in the queue.
    int hashPriority(const QString &address, const QString &accountKey);
    // 0, or how long until a login to the account or from the address may
    // be tried again.
    qint64 loginRetryAfterMs(const QString &accountKey, const QString &address);
    // A login's second step, once the account has been read.
    void checkPassword(Session &session, const Confab::Protocol::Credentials &login,
                       const std::optional<AccountStore::Account> &account, const LoginAttempt &attempt,
                       const QJsonValue &id, const Admitted &admitted);
    void changePassword(Session &session, const Confab::Protocol::ChangePassword &request,
                        const std::optional<AccountStore::Account> &account, const LoginAttempt &attempt,
                        const QJsonValue &id);
    void accountNotStored(Session &session, const QString &error, const QJsonValue &id);
    void passwordNotStored(Session &session, const QString &error, const QJsonValue &id);
    // The session's nick is its account now.
    void registered(Session &session, const QJsonValue &id);
    // Runs `work` (a password hash) through the hashing queue; the
    // session's requests wait until `done` has run on the event loop with
    // its result. False (the session is told rate_limited) if the queue
    // has no room for it.
    struct HashTicket
    {
        QString address;
        int priority = 0;
    };
    template <typename Result>
    bool hash(Session &session, const HashTicket &ticket, std::function<Result()> work,
              std::function<void(Session &, const Result &)> done, const QJsonValue &id);

    ChatCore &m_core;
    FailureThrottle m_passwordFailures; // the server password's, by address
    FailureThrottle m_loginFailuresByAccount;
    FailureThrottle m_loginFailuresByAddress;
    FailureThrottle m_registrations; // by address
    KnownAddresses m_addressesLoggedIn;
    // After the throttles: its jobs' answers name them.
    std::unique_ptr<HashQueue> m_hashes;
};
