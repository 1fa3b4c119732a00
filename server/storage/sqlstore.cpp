#include "sqlstore.h"
#include "sqlhelpers.h"

#include "logging.h"
#include "postgresstore.h"
#include "sqlitestore.h"

#include <QThread>

#include <condition_variable>
#include <mutex>

using namespace SqlHelpers;


SqlStore::SqlStore(const QString &connectionName)
    : m_connectionName(connectionName)
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
    if (isDatabaseUrl(location))
        return PostgresStore::open(location, error);
    return SqliteStore::open(location, error);
}

QString SqlStore::nextConnectionName()
{
    static int counter = 0;
    return QStringLiteral("confab-store-%1").arg(++counter);
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
    kept.clear();
    unprepared.reset();
    storedRooms.clear();
    insertMessage.reset();
    insertRoom.reset();
    updateTopic.reset();
    updateMessage.reset();
    insertPrivate.reset();
    if (db.isOpen())
        db.close();
}

QSqlQuery &SqlStore::Link::statement(const QString &sql)
{
    auto found = kept.find(sql);
    if (found != kept.end())
        return *found->second;
    auto query = std::make_unique<QSqlQuery>(db);
    if (!query->prepare(sql)) {
        unprepared = std::move(query);
        return *unprepared;
    }
    return *kept.emplace(sql, std::move(query)).first->second;
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
