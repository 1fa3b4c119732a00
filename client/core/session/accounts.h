#pragma once

#include "messages.h"
#include "sessioncore.h"

#include <QObject>

#include <optional>

namespace ClientSession {

// Accounts (protocol section 12): the login every hello carries, registering
// the nick, logging in from a guest session (by coming back through hello,
// and back as the guest if the server refuses), and changing the password.
// The browser's twin is accounts.js.
class Accounts final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Accounts)

public:
    explicit Accounts(SessionCore &session);

    // An account to log in to with every hello (reconnects too). An empty
    // account: no login.
    void setLogin(const QString &account, const QString &accountPassword);
    // Registers the nick with this password as soon as the server welcomes
    // the user.
    void setRegistration(const QString &accountPassword);
    // The account the session is logged in to ("" when none).
    QString account() const { return m_account; }
    // What hello logs in with, if anything.
    std::optional<Confab::Protocol::Credentials> login() const;

    // `context` (the active conversation when null) hears the answer.
    void registerAccount(const QString &accountPassword, Conversation *context = nullptr);
    // Comes back logged in to `account`, keeping the open rooms.
    void logIn(const QString &account, const QString &accountPassword);
    void changePassword(const QString &oldPassword, const QString &newPassword, Conversation *context = nullptr);

    // Welcomed as `account` ("" as a guest).
    void welcomed(const QString &account);
    // After welcomed(): a registration asked for before, now.
    void registerIfAsked();
    // The server refused a hello with a login that a guest session tried
    // (/login): forgets it; whether that was the case (then the session goes
    // back as the guest it was).
    bool backToGuest();
    void onRegistered(const Confab::Protocol::Registered &registered, const SessionCore::Pending &pending);
    void onPasswordChanged(const SessionCore::Pending &pending);
    // An error answering a request once welcomed.
    void onError(const Confab::Protocol::Error &problem, const SessionCore::Pending &pending);

signals:
    void accountChanged(const QString &account);

private:
    SessionCore &m_session;
    QString m_account;        // logged in to, per welcome or registered
    QString m_loginAccount;   // to log in to with hello
    QString m_loginPassword;
    QString m_registration;   // register with this once welcomed
    QString m_newPassword;    // while change_password is on its way
    bool m_guestFallback = false; // a /login from a guest session is under way
};

} // namespace ClientSession
