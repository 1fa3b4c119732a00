#include "sqlstore.h"
#include "sqlhelpers.h"

#include "logging.h"
#include "walcheckpointer.h"

#include <QDir>
#include <QFileInfo>
#include <QScopeGuard>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <condition_variable>
#include <mutex>

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

// PostgreSQL starts from the schema SQLite's migrations end with; the table
// confab_schema remembers how far a database has come.
const QStringList postgresMigrations = {
        QStringLiteral(":/sql/postgres/001_schema.sql"),
        QStringLiteral(":/sql/postgres/002_one_owner.sql"),
        QStringLiteral(":/sql/postgres/003_account_changes.sql"),
};

} // namespace

SqlStore::SqlStore(Engine engine, const QString &connectionName)
    : m_engine(engine)
    , m_connectionName(connectionName)
{
}

SqlStore::~SqlStore()
{
    if (m_commitThread) {
        finishCommit();
        // The commit connection is closed on the thread that used it.
        Link *link = m_commitLink.get();
        QMetaObject::invokeMethod(
                m_committer, [link] { link->close(); link->db = QSqlDatabase(); }, Qt::BlockingQueuedConnection);
        m_commitThread->quit();
        m_commitThread->wait();
        delete m_committer;
        delete m_commitThread;
        QSqlDatabase::removeDatabase(m_connectionName + QLatin1String("-commits"));
    }
    // Before the last connection closes, which checkpoints what is left and
    // removes the log.
    m_checkpointer.reset();
    closeConnection();
    m_link.db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool SqlStore::isDatabaseUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

std::unique_ptr<SqlStore> SqlStore::open(const QString &location, QString *error)
{
    return isDatabaseUrl(location) ? openPostgres(location, error) : openSqlite(location, error);
}

namespace {
QString nextConnectionName()
{
    static int counter = 0;
    return QStringLiteral("confab-store-%1").arg(++counter);
}
} // namespace

std::unique_ptr<SqlStore> SqlStore::openPostgres(const QString &location, QString *error)
{
    const QUrl url(location);
    const QString database = url.path().mid(1);
    if (!url.isValid() || database.isEmpty() || database.contains(u'/')) {
        *error = QStringLiteral("%1 is not a database URL (postgresql://USER@HOST:PORT/DATABASE)")
                         .arg(url.toDisplayString(QUrl::RemovePassword));
        return nullptr;
    }
    std::unique_ptr<SqlStore> store(new SqlStore(Engine::Postgres, nextConnectionName()));
    store->m_link.db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), store->m_connectionName);
    if (!store->m_link.db.isValid()) {
        *error = QStringLiteral("the Qt PostgreSQL driver is not installed (Debian: libqt6sql6-psql)");
        return nullptr;
    }
    // ?host=/run/postgresql: a Unix socket directory instead of a host name.
    const QString socketDirectory = QUrlQuery(url).queryItemValue(QStringLiteral("host"));
    store->m_link.db.setHostName(socketDirectory.isEmpty() ? url.host() : socketDirectory);
    if (url.port() > 0)
        store->m_link.db.setPort(url.port());
    store->m_link.db.setUserName(url.userName());
    store->m_link.db.setPassword(url.password());
    store->m_link.db.setDatabaseName(database);
    // A database that does not answer is a failed commit (storage_failed),
    // not a server that hangs.
    store->m_link.db.setConnectOptions(QStringLiteral("connect_timeout=5;options=-cclient_min_messages=warning"));
    const QString shown = url.toDisplayString(QUrl::RemovePassword);
    if (!store->m_link.db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(shown, sqlError(store->m_link.db.lastError()));
        return nullptr;
    }
    QString why;
    if (!store->migratePostgres(&why) || !store->prepareStatements(store->m_link, &why) || !store->loadAccountKeys(&why)
        || !store->startCommitThread(&why)) {
        *error = QStringLiteral("cannot use %1: %2").arg(shown, why);
        return nullptr;
    }
    return store;
}

struct SqlStore::CommitJob
{
    Batch batch;
    CommitDone done;
    QObject *context;
    // Written on the commit thread, read after `finished`.
    bool stored = false;
    QString error;
    Numbers numbers;
    std::mutex mutex;
    std::condition_variable ended;
    bool finished = false; // under `mutex`
    bool reported = false; // on the context's thread
};

bool SqlStore::startCommitThread(QString *error)
{
    // Waiting for PostgreSQL to commit (a network round trip or more) is
    // done there, not on the event loop that serves the clients.
    m_commitThread = new QThread;
    m_commitThread->setObjectName(QStringLiteral("confab-commits"));
    m_committer = new QObject;
    m_committer->moveToThread(m_commitThread);
    m_commitThread->start();
    m_commitLink = std::make_unique<Link>();
    Link *link = m_commitLink.get();
    const QString name = m_connectionName + QLatin1String("-commits");
    const QString original = m_connectionName;
    bool opened = false;
    QMetaObject::invokeMethod(
            m_committer,
            [&] {
                // Made and opened on the thread that uses it, as Qt SQL wants.
                link->db = QSqlDatabase::cloneDatabase(original, name);
                if (!link->db.open())
                    *error = QStringLiteral("a second connection failed: ") + sqlError(link->db.lastError());
                else
                    opened = prepareStatements(*link, error);
            },
            Qt::BlockingQueuedConnection);
    return opened;
}

void SqlStore::startCommit(QObject *context, CommitDone done)
{
    finishCommit(); // one at a time
    auto job = std::make_shared<CommitJob>();
    job->batch = takeBatch();
    job->done = std::move(done);
    job->context = context;
    m_job = job;
    Link *link = m_commitLink.get();
    QMetaObject::invokeMethod(
            m_committer,
            [this, link, job] {
                Numbers numbers;
                QString error;
                const bool stored = write(*link, job->batch, &numbers, &error);
                {
                    const std::lock_guard<std::mutex> lock(job->mutex);
                    job->stored = stored;
                    job->error = error;
                    job->numbers = numbers;
                }
                // Posted before finishCommit() may return: the context
                // must still exist when it is named here.
                QMetaObject::invokeMethod(
                        job->context,
                        [this, job] {
                            if (!job->reported)
                                report(job);
                        },
                        Qt::QueuedConnection);
                {
                    const std::lock_guard<std::mutex> lock(job->mutex);
                    job->finished = true;
                }
                job->ended.notify_all();
            },
            Qt::QueuedConnection);
}

void SqlStore::finishCommit()
{
    if (!m_job)
        return;
    const std::shared_ptr<CommitJob> job = m_job;
    {
        std::unique_lock<std::mutex> lock(job->mutex);
        job->ended.wait(lock, [&] { return job->finished; });
    }
    report(job);
}

void SqlStore::report(const std::shared_ptr<CommitJob> &job)
{
    if (job->reported)
        return;
    job->reported = true;
    if (m_job == job)
        m_job.reset();
    job->done(job->stored, job->error, job->numbers);
}

bool SqlStore::migratePostgres(QString *error)
{
    // Several servers may start at once on an empty database: one migrates,
    // the others wait for it on this lock (held until the session ends or
    // it is released).
    const QString lockKey = QStringLiteral("4242424242");
    if (!exec(m_link.db, QStringLiteral("SELECT pg_advisory_lock(%1)").arg(lockKey), error))
        return false;
    const auto unlock = qScopeGuard([&] {
        QString ignored;
        exec(m_link.db, QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(lockKey), &ignored);
    });
    if (!exec(m_link.db, QStringLiteral("CREATE TABLE IF NOT EXISTS confab_schema (version INTEGER NOT NULL)"), error))
        return false;
    QSqlQuery version(m_link.db);
    if (!version.exec(QStringLiteral("SELECT MAX(version) FROM confab_schema")) || !version.next()) {
        *error = sqlError(version.lastError());
        return false;
    }
    const int current = version.value(0).toInt();
    version.finish();
    if (current > postgresMigrations.size()) {
        *error = QStringLiteral("the database was written by a newer Confab (schema %1, this one knows %2)")
                         .arg(current)
                         .arg(postgresMigrations.size());
        return false;
    }
    for (int step = current; step < postgresMigrations.size(); ++step) {
        if (!runScript(m_link.db, postgresMigrations.at(step), error)
            || !exec(m_link.db, QStringLiteral("INSERT INTO confab_schema (version) VALUES (%1)").arg(step + 1), error)
            || !m_link.db.commit()) {
            m_link.db.rollback();
            return false;
        }
        qCDebug(lcStore) << "PostgreSQL schema now at version" << step + 1;
    }
    return true;
}

bool SqlStore::readable()
{
    QString error;
    Link &link = here();
    return !link.lost || reconnect(link, &error);
}

SqlStore::Link &SqlStore::here()
{
    return m_commitThread && QThread::currentThread() == m_commitThread ? *m_commitLink : m_link;
}

void SqlStore::Link::close()
{
    // The prepared statements belong to the connection: they go first.
    insertMessage.reset();
    insertRoom.reset();
    updateTopic.reset();
    updateMessage.reset();
    insertPrivate.reset();
    if (db.isOpen())
        db.close();
}

void SqlStore::closeConnection()
{
    m_link.close();
}

bool SqlStore::reconnect(Link &link, QString *error) const
{
    link.close();
    if (!link.db.open()) {
        *error = sqlError(link.db.lastError());
        return false;
    }
    if (!prepareStatements(link, error))
        return false;
    link.lost = false;
    qCWarning(lcStore) << "connected to the database again";
    return true;
}

std::unique_ptr<SqlStore> SqlStore::openSqlite(const QString &path, QString *error)
{
    std::unique_ptr<SqlStore> store(new SqlStore(Engine::Sqlite, nextConnectionName()));

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

bool SqlStore::migrate(QString *error)
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

bool SqlStore::prepareStatements(Link &link, QString *error) const
{
    auto prepare = [&](std::unique_ptr<QSqlQuery> &query, const QString &sql) {
        query = std::make_unique<QSqlQuery>(link.db);
        if (!query->prepare(sql)) {
            *error = sqlError(query->lastError());
            return false;
        }
        return true;
    };
    return prepare(link.insertMessage, QStringLiteral("INSERT INTO messages (room_key, seq, sender, text, ts, action, account) "
                                                   "VALUES (?, ?, ?, ?, ?, ?, ?)"))
           && prepare(link.insertRoom, QStringLiteral("INSERT INTO rooms (key, name) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"))
           && prepare(link.updateTopic, QStringLiteral("UPDATE rooms SET topic = ? WHERE key = ?"))
           && prepare(link.updateMessage, QStringLiteral("UPDATE messages SET text = ?, edited = ?, deleted = ?, reactions = ?, "
                                                      "rev = ? WHERE room_key = ? AND seq = ?"))
           && prepare(link.insertPrivate, QStringLiteral("INSERT INTO private_messages (pair, seq, sender, recipient_nick, "
                                                      "recipient, text, ts, action, delivered) "
                                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
}

void SqlStore::maintain()
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

void SqlStore::offload(QObject *context, std::function<void()> work, std::function<void()> done)
{
    if (!m_commitThread) {
        work();
        done();
        return;
    }
    QMetaObject::invokeMethod(
            m_committer,
            [context, work, done] {
                work();
                QMetaObject::invokeMethod(context, done, Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
}

void SqlStore::waitForReads()
{
    if (m_commitThread)
        QMetaObject::invokeMethod(m_committer, [] {}, Qt::BlockingQueuedConnection);
}
