#include "sqlitestore.h"
#include "sqlhelpers.h"

#include "logging.h"
#include "walcheckpointer.h"

#include <QDir>
#include <QFileInfo>

using namespace SqlHelpers;

namespace {

// Numbered migrations, applied in order; PRAGMA user_version remembers how
// far a database has come.
const QStringList migrations = {
        QStringLiteral(":/sql/001_initial.sql"),
        QStringLiteral(":/sql/002_accounts.sql"),
        QStringLiteral(":/sql/003_moderation.sql"),
        QStringLiteral(":/sql/004_bans.sql"),
        QStringLiteral(":/sql/005_mutes_modes.sql"),
        QStringLiteral(":/sql/006_actions.sql"),
        QStringLiteral(":/sql/007_edits_reactions.sql"),
        QStringLiteral(":/sql/008_private_messages.sql"),
        QStringLiteral(":/sql/009_read_markers.sql"),
        QStringLiteral(":/sql/010_one_owner.sql"),
        QStringLiteral(":/sql/011_account_changes.sql"),
};

} // namespace

SqliteStore::SqliteStore(const QString &connectionName)
    : SqlStore(connectionName)
{
}

SqliteStore::~SqliteStore()
{
    // Before the last connection closes, which checkpoints what is left and
    // removes the log.
    m_checkpointer.reset();
}

QString SqliteStore::roomRecordSql() const
{
    return QStringLiteral("SELECT name, topic, (SELECT MAX(seq) FROM messages WHERE room_key = ?), "
                          "(SELECT MAX(rev) FROM messages WHERE room_key = ? AND rev IS NOT NULL) "
                          "FROM rooms WHERE key = ?");
}

QString SqliteStore::lastSeqsSql() const
{
    return QStringLiteral("SELECT room_key, MAX(seq) FROM messages WHERE room_key IN (%1) GROUP BY room_key");
}

std::unique_ptr<SqlStore> SqliteStore::open(const QString &path, QString *error)
{
    std::unique_ptr<SqliteStore> store(new SqliteStore(nextConnectionName()));

    if (path != QLatin1String(":memory:")) {
        const QFileInfo info(path);
        if (!QDir().mkpath(info.absolutePath())) {
            *error = QStringLiteral("cannot create the directory %1").arg(info.absolutePath());
            return nullptr;
        }
        if (info.exists() && !info.isFile()) {
            *error = QStringLiteral("%1 is not a file").arg(path);
            return nullptr;
        }
    }

    store->here().db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), store->m_connectionName);
    if (!store->here().db.isValid()) {
        *error = QStringLiteral("the Qt SQLite driver is not installed (Debian: libqt6sql6-sqlite)");
        return nullptr;
    }
    store->here().db.setDatabaseName(path);
    store->here().db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!store->here().db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, sqlError(store->here().db.lastError()));
        return nullptr;
    }

    QString why;
    // WAL: a commit is one append to the log, and readers never block the
    // writer. synchronous=NORMAL keeps every committed transaction through a
    // crash or kill of the server (only a power cut may lose the last ones).
    if (!exec(store->here().db, QStringLiteral("PRAGMA journal_mode=WAL"), &why)
        || !exec(store->here().db, QStringLiteral("PRAGMA synchronous=NORMAL"), &why)
        || !store->migrate(&why) || !store->prepareStatements(store->m_link, &why) || !store->loadAccountKeys(&why)) {
        *error = QStringLiteral("cannot use %1: %2").arg(path, why);
        return nullptr;
    }
    if (path != QLatin1String(":memory:")) {
        if (!exec(store->here().db, QStringLiteral("PRAGMA wal_autocheckpoint=0"), &why)) {
            *error = QStringLiteral("cannot use %1: %2").arg(path, why);
            return nullptr;
        }
        store->m_checkpointer = std::make_unique<WalCheckpointer>(path);
        if (!store->m_checkpointer->isWorking()) {
            store->m_checkpointer.reset();
            if (!exec(store->here().db, QStringLiteral("PRAGMA wal_autocheckpoint=1000"), &why)) {
                *error = QStringLiteral("cannot use %1: %2").arg(path, why);
                return nullptr;
            }
        }
    }
    return store;
}

bool SqliteStore::migrate(QString *error)
{
    QSqlQuery version(here().db);
    if (!version.exec(QStringLiteral("PRAGMA user_version")) || !version.next()) {
        *error = sqlError(version.lastError());
        if (error->isEmpty())
            *error = QStringLiteral("not an SQLite database");
        return false;
    }
    const int current = version.value(0).toInt();
    version.finish();
    if (current > migrations.size()) {
        *error = QStringLiteral("the database was written by a newer Confab (schema %1, this one knows %2)")
                         .arg(current)
                         .arg(migrations.size());
        return false;
    }
    for (int step = current; step < migrations.size(); ++step) {
        if (!runScript(here().db, migrations.at(step), error))
            return false;
        if (!exec(here().db, QStringLiteral("PRAGMA user_version=%1").arg(step + 1), error) || !here().db.commit()) {
            here().db.rollback();
            return false;
        }
        qCDebug(lcStore) << "database schema now at version" << step + 1;
    }
    return true;
}

void SqliteStore::maintain()
{
    if (!m_checkpointer)
        return;
    m_checkpointer->committed();
    if (!m_checkpointer->restartWanted())
        return;
    // The checkpoint thread has just copied nearly all of a long log; copy
    // the few pages committed since, so that the next transaction starts the
    // log again from its beginning instead of growing it.
    QSqlQuery query(here().db);
    if (query.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && query.next()) {
        const bool complete = query.value(0).toInt() == 0 && query.value(1) == query.value(2);
        if (complete)
            m_checkpointer->restartDone();
    }
}
