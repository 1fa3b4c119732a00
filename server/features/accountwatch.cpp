// A server notices the account administration's changes (accountwatch.h)
// and acts on them: it puts out whoever is logged in to an account that is
// no longer there (deleted, or renamed: they log in again under the new
// name), and reads every open room's roles, mutes and bans, and the server
// bans, again.

#include "accountwatch.h"
#include "chatservice.h"

#include "accountstore.h"
#include "logging.h"
#include "messagestore.h"

#include <memory>

namespace {

constexpr int AccountWatchMs = 2000;

} // namespace

AccountWatch::AccountWatch(AccountStore &accounts, MessageStore &store, std::function<void()> changed)
    : m_accounts(accounts)
    , m_store(store)
    , m_changed(std::move(changed))
{
    m_timer.setInterval(AccountWatchMs);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { check(); });
}

void AccountWatch::start()
{
    m_generation = m_accounts.accountChanges();
    m_timer.start();
}

void AccountWatch::stop()
{
    m_stopped = true;
    m_timer.stop();
}

void AccountWatch::check()
{
    if (m_checking || m_stopped)
        return;
    m_checking = true;
    auto seen = std::make_shared<std::optional<qint64>>();
    auto reloaded = std::make_shared<bool>(false);
    const std::optional<qint64> known = m_generation;
    m_store.offload(
            &m_timer,
            [this, seen, reloaded, known] {
                *seen = m_accounts.accountChanges();
                if (*seen && *seen != known)
                    *reloaded = m_accounts.reloadAccounts();
            },
            [this, seen, reloaded] {
                m_checking = false;
                if (!*reloaded || m_stopped)
                    return; // nothing changed, or the database cannot be read now: next time
                m_generation = *seen;
                m_changed();
            });
}

void ChatService::accountsChanged()
{
    qCInfo(lcChat) << "accounts changed from the shell: reading accounts, roles and bans again";
    QList<Session *> gone;
    for (const auto &[connection, session] : m_sessions) {
        if (session->isLoggedIn() && !session->quitReason() && !m_accounts->hasAccount(session->accountKey))
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
