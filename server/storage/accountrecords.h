#pragma once

#include <QSqlDatabase>
#include <QString>

#include <optional>

// The account administration's changes to the database (`confab-server
// account delete|rename|list`), each in one transaction, the same SQL on
// SQLite and PostgreSQL. Each change also adds one to account_changes, so
// that a server running on the same database reads accounts, roles and
// bans again within seconds (ChatService's account watch).
//
// An account is known elsewhere by its key: room roles, mutes and bans of
// `account:NAME`, the edit rights on its messages, its read markers and its
// private conversations (pairs of identities, "a:KEY"). A rename carries
// all of them to the new key; a delete drops its roles, mutes and read
// markers, takes the edit rights off its messages, and sets its private
// conversations aside under an identity nobody can log in as, so that a
// later account of the same name inherits nothing.
class AccountRecords
{
public:
    AccountRecords(QSqlDatabase db, bool postgres) : m_db(std::move(db)), m_postgres(postgres) {}

    struct Entry
    {
        QString name;
        qint64 createdMs = 0;
        int roomsOwned = 0;
        int roomsOp = 0;
    };
    // Every account, by name; nullopt with *error if it cannot be read.
    std::optional<QList<Entry>> list(QString *error);

    bool remove(const QString &key, qint64 nowMs, QString *error);
    // `newName` may differ from the old name only in how it is written
    // (the same key), or be a name no account has.
    bool rename(const QString &oldKey, const QString &newName, QString *error);
    // Records one change in account_changes; inside the caller's
    // transaction where there is one.
    bool noteChange(QString *error);

private:
    bool exec(const QString &sql, const QVariantList &values, QString *error);
    // Moves everything known by the old identity to the new one.
    bool moveIdentity(const QString &oldKey, const QString &newKey, QString *error);
    bool movePrivatePairs(const QString &oldIdentity, const QString &newIdentity, QString *error);

    QSqlDatabase m_db;
    bool m_postgres;
};
