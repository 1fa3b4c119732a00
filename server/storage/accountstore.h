#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

// Where accounts live. Unlike messages, account changes are written at once,
// each in a transaction of its own: a registration is rare, and its answer
// must not be sent before it is stored.
class AccountStore
{
public:
    struct Account
    {
        QString name; // as registered
        QByteArray passwordHash;
        qint64 createdMs = 0;
    };

    virtual ~AccountStore() = default;

    // By nameKey(name).
    virtual std::optional<Account> loadAccount(const QString &key) = 0;
    // Whether the key is an account: asked for every nick taken, so it
    // must not cost a query.
    virtual bool hasAccount(const QString &key) const = 0;
    // An account that another server (of a cluster) has registered.
    virtual void noteAccount(const QString &key) { Q_UNUSED(key) }
    virtual bool createAccount(const QString &key, const Account &account, QString *error) = 0;
    virtual bool setPasswordHash(const QString &key, const QByteArray &passwordHash, QString *error) = 0;
    // How many changes the account administration (`confab-server account
    // …`, another process) has made; nullopt when it cannot be read. Runs
    // where the store's commits run (MessageStore::offload()).
    virtual std::optional<qint64> accountChanges() { return 0; }
    // After such a change: which accounts exist, read again.
    virtual bool reloadAccounts() { return true; }
};
