#pragma once

#include <QObject>
#include <QString>

#include <functional>

// Account passwords the user asked to keep, in the desktop's secret store
// (GNOME Keyring, KWallet, … through QtKeychain): never in a settings file.
// Every call is asynchronous; without a secret store the callback gets the
// reason and nothing is kept anywhere else.
class PasswordStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PasswordStore)

public:
    using Done = std::function<void(const QString &password, const QString &error)>;

    explicit PasswordStore(QObject *parent = nullptr);

    // `server` is host:port; one password per account and server.
    void read(const QString &server, const QString &account, Done done);
    void write(const QString &server, const QString &account, const QString &password, Done done = {});
    void forget(const QString &server, const QString &account);

    static QString keyFor(const QString &server, const QString &account);
};
