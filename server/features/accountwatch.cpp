// A server notices the account administration's changes (`confab-server
// account …`, another process on the same database; see accountrecords.h):
// every few seconds it reads one number, and when that moved it reads which
// accounts exist, every open room's roles, mutes and bans, and the server
// bans again, and puts out whoever is logged in to an account that is no
// longer there (deleted, or renamed: they log in again under the new name).

#include "chatservice.h"

#include "logging.h"

namespace {

constexpr int AccountWatchMs = 2000;

} // namespace

void ChatService::watchAccounts()
{
    m_accountWatch.setInterval(AccountWatchMs);
    connect(&m_accountWatch, &QTimer::timeout, this, &ChatService::checkAccountChanges);
    m_accountGeneration = m_accounts->accountChanges();
    m_accountWatch.start();
}

void ChatService::checkAccountChanges()
{
    if (m_checkingAccounts || m_shuttingDown)
        return;
    m_checkingAccounts = true;
    auto seen = std::make_shared<std::optional<qint64>>();
    auto reloaded = std::make_shared<bool>(false);
    const std::optional<qint64> known = m_accountGeneration;
    m_store->offload(
            this,
            [this, seen, reloaded, known] {
                *seen = m_accounts->accountChanges();
                if (*seen && *seen != known)
                    *reloaded = m_accounts->reloadAccounts();
            },
            [this, seen, reloaded] {
                m_checkingAccounts = false;
                if (!*reloaded)
                    return; // nothing changed, or the database cannot be read now: next time
                m_accountGeneration = *seen;
                accountsChanged();
            });
}

void ChatService::accountsChanged()
{
    qCInfo(lcChat) << "accounts changed from the shell: reading accounts, roles and bans again";
    QList<Session *> gone;
    for (const auto &[connection, session] : m_sessions) {
        if (session->isLoggedIn() && !session->quitReason && !m_accounts->hasAccount(session->accountKey))
            gone.append(session.get());
    }
    for (Session *session : std::as_const(gone))
        closeSession(*session, QStringLiteral("the account %1 was renamed or deleted by the server's operator")
                                       .arg(session->account));
    QStringList roomKeys{QString()}; // "": the server bans
    for (const auto &[key, room] : m_rooms)
        roomKeys.append(key);
    reloadThen(roomKeys, [] {});
    warnAboutOperatorsWithoutAccounts();
}
