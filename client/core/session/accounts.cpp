#include "accounts.h"

#include "conversation.h"
#include "names.h"
#include "refusal.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using Purpose = ClientSession::SessionCore::Pending::Purpose;

namespace ClientSession {

Accounts::Accounts(SessionCore &session)
    : m_session(session)
{
}

void Accounts::setLogin(const QString &account, const QString &accountPassword)
{
    m_loginAccount = account;
    m_loginPassword = accountPassword;
}

void Accounts::setRegistration(const QString &accountPassword)
{
    m_registration = accountPassword;
}

std::optional<Credentials> Accounts::login() const
{
    if (m_loginAccount.isEmpty())
        return std::nullopt;
    return Credentials{m_loginAccount, m_loginPassword};
}

void Accounts::registerAccount(const QString &accountPassword, Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (!m_session.online(context))
        return;
    if (!m_account.isEmpty()) {
        if (context)
            m_session.error(context, u"You are logged in to %1 already."_s.arg(m_account));
        return;
    }
    // Checked here too, so that a short password is refused before it
    // travels anywhere.
    if (accountPassword.size() < 8 || accountPassword.size() > 256) {
        if (context)
            m_session.error(context, Refusal::sentence(ErrorCode::PasswordInvalid, u"that password is too short"_s));
        return;
    }
    m_registration = accountPassword;
    m_session.send(Register{accountPassword}, Purpose::Register, context);
}

void Accounts::logIn(const QString &account, const QString &accountPassword)
{
    m_guestFallback = m_session.isWelcomed() && m_account.isEmpty();
    m_loginAccount = account;
    m_loginPassword = accountPassword;
    if (!m_session.everWelcomed())
        return;
    // Logging in is part of hello: start again, keeping the rooms. A guest
    // comes back with the account's own nick, the natural one.
    const bool takeAccountsNick = nameKey(m_session.nick()) != nameKey(account) && m_account.isEmpty();
    m_session.comeBackAs(takeAccountsNick ? account : m_session.nick(), u"logging in"_s);
}

void Accounts::changePassword(const QString &oldPassword, const QString &newPassword, Conversation *context)
{
    if (!context)
        context = m_session.activeConversation();
    if (!m_session.online(context))
        return;
    m_newPassword = newPassword;
    m_session.send(ChangePassword{oldPassword, newPassword}, Purpose::Plain, context);
}

void Accounts::welcomed(const QString &account)
{
    m_guestFallback = false;
    if (account != m_account) {
        m_account = account;
        emit accountChanged(m_account);
    }
}

void Accounts::registerIfAsked()
{
    if (!m_registration.isEmpty() && m_account.isEmpty())
        m_session.send(Register{m_registration}, Purpose::Register, nullptr);
}

bool Accounts::backToGuest()
{
    if (!m_guestFallback)
        return false;
    m_guestFallback = false;
    m_loginAccount.clear();
    m_loginPassword.clear();
    return true;
}

void Accounts::onRegistered(const Registered &registered, const SessionCore::Pending &pending)
{
    m_account = registered.account;
    // From now on every reconnect logs in.
    m_loginAccount = registered.account;
    m_loginPassword = std::exchange(m_registration, QString());
    emit accountChanged(m_account);
    Conversation *where = pending.conversation ? pending.conversation.data() : m_session.activeConversation();
    if (where)
        m_session.notice(where, u"%1 is now a registered account, and you are logged in to it. Nobody else "
                                "can use this nick."_s.arg(registered.account));
}

void Accounts::onPasswordChanged(const SessionCore::Pending &pending)
{
    m_loginPassword = std::exchange(m_newPassword, QString());
    if (pending.conversation)
        m_session.notice(pending.conversation, u"Your password was changed."_s);
}

void Accounts::onError(const Error &problem, const SessionCore::Pending &pending)
{
    if (pending.purpose == Purpose::Register)
        m_registration.clear();
    if (problem.code == ErrorCode::LoginFailed || problem.code == ErrorCode::PasswordInvalid)
        m_newPassword.clear();
}

} // namespace ClientSession
