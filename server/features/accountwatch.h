#pragma once

#include <QTimer>

#include <functional>
#include <optional>

class AccountStore;
class MessageStore;

// Notices the account administration's changes (`confab-server account …`,
// another process on the same database; see accountrecords.h): every few
// seconds it reads one number where the store's commits run, and when that
// moved it reads the accounts again and says so (`changed`), on the event
// loop. What the chat does about it is ChatService::accountsChanged().
class AccountWatch final
{
public:
    AccountWatch(AccountStore &accounts, MessageStore &store, std::function<void()> changed);

    void start();
    // No more checks (shutting down); one under way ends unheard.
    void stop();

private:
    void check();

    AccountStore &m_accounts;
    MessageStore &m_store;
    std::function<void()> m_changed;
    QTimer m_timer; // also the context of the work handed to the store
    std::optional<qint64> m_generation;
    bool m_checking = false;
    bool m_stopped = false;
};
