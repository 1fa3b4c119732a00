// Accounts: log in, register, change the password (protocol section 12).
// Part of ChatSession (chatsession.h).

#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"
#include "refusal.h"

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

void ChatSession::setLogin(const QString &account, const QString &accountPassword)
{
    m_loginAccount = account;
    m_loginPassword = accountPassword;
}

void ChatSession::setRegistration(const QString &accountPassword)
{
    m_registration = accountPassword;
}

void ChatSession::registerAccount(const QString &accountPassword, Conversation *context)
{
    if (!context)
        context = m_active;
    if (!online(context))
        return;
    if (!m_account.isEmpty()) {
        if (context)
            error(context, u"You are logged in to %1 already."_s.arg(m_account));
        return;
    }
    // Checked here too, so that a short password is refused before it
    // travels anywhere.
    if (accountPassword.size() < 8 || accountPassword.size() > 256) {
        if (context)
            error(context, Refusal::sentence(ErrorCode::PasswordInvalid, u"that password is too short"_s));
        return;
    }
    m_registration = accountPassword;
    send(Register{accountPassword}, Pending::Purpose::Register, context);
}

void ChatSession::logIn(const QString &account, const QString &accountPassword)
{
    m_guestFallback = m_supervisor.isWelcomed() && m_account.isEmpty();
    m_loginAccount = account;
    m_loginPassword = accountPassword;
    if (!m_supervisor.everWelcomed())
        return;
    // Logging in is part of hello: start again, keeping the rooms.
    if (m_supervisor.transport()->isOpen())
        send(Quit{u"logging in"_s});
    m_supervisor.transport()->close();
    m_requests.clear();
    for (Conversation *conversation : m_conversations.items())
        conversation->setJoined(false);
    if (nameKey(m_nick) != nameKey(account) && m_account.isEmpty()) {
        // The account's own nick is the natural one to come back with.
        m_nick = account;
        emit nickChanged(m_nick);
    }
    m_supervisor.connectNow();
}

void ChatSession::changePassword(const QString &oldPassword, const QString &newPassword, Conversation *context)
{
    if (!context)
        context = m_active;
    if (!online(context))
        return;
    m_newPassword = newPassword;
    send(ChangePassword{oldPassword, newPassword}, Pending::Purpose::Plain, context);
}

// ------------------------------------------------------------ moderation
