#pragma once

#include "sqlstore.h"

class WalCheckpointer;

// The embedded default: one SQLite file in WAL mode (":memory:" keeps
// nothing). This process numbers messages as it accepts them; the log is
// copied back into the file on a thread of its own (WalCheckpointer), and
// the schema is the numbered files of server/storage/sql/, remembered by
// PRAGMA user_version.
class SqliteStore final : public SqlStore
{
public:
    static std::unique_ptr<SqlStore> open(const QString &path, QString *error);
    ~SqliteStore() override;

    bool numbersAtCommit() const override { return false; }
    void maintain() override;

protected:
    bool losesConnections() const override { return false; }
    QString roomRecordSql() const override;
    QString lastSeqsSql() const override;

private:
    explicit SqliteStore(const QString &connectionName);
    bool migrate(QString *error);

    // For a database file (not :memory:).
    std::unique_ptr<WalCheckpointer> m_checkpointer;
};
