#pragma once

#include "sqlstore.h"

// PostgreSQL (a postgresql:// URL), which several servers share in cluster
// mode: the database numbers what each commit adds (rooms' last_seq and
// last_rev, private pairs' last_seq), commits run on a thread of their own,
// a lost connection is made again before its next use, and the schema is
// the numbered files of server/storage/sql/postgres/, remembered in
// confab_schema.
class PostgresStore final : public SqlStore
{
public:
    static std::unique_ptr<SqlStore> open(const QString &url, QString *error);

    bool numbersAtCommit() const override { return true; }

protected:
    bool losesConnections() const override { return true; }
    QString roomRecordSql() const override;
    QString lastSeqsSql() const override;
    bool lockInOrder(Link &link, Batch &batch, QString *error) const override;
    bool numberPending(Link &link, Batch &batch, Numbers *numbers, QString *error) const override;

private:
    explicit PostgresStore(const QString &connectionName);
    // Several servers may start at once: one migrates, under a lock.
    bool migrate(QString *error);
    // An edit or a reaction merged with the message as stored now (other
    // servers change it too), the row locked until the commit.
    bool mergeStored(Link &link, PendingMessage &pending, QString *error) const;
    // Runs `sql` (an UPDATE … SET counter = counter + ? WHERE key = ?
    // RETURNING counter) for `key`, raising it by `by`; `last`: its value now.
    static bool raise(Link &link, const QString &sql, const QString &key, qint64 by, qint64 *last, QString *error);
};
