#include "walcheckpointer.h"

#include "logging.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

namespace {

QString nextConnectionName()
{
    static std::atomic<int> counter{0};
    return QStringLiteral("confab-checkpointer-%1").arg(++counter);
}

} // namespace

WalCheckpointer::WalCheckpointer(const QString &databasePath)
    : m_databasePath(databasePath)
    , m_connectionName(nextConnectionName())
{
    m_thread.setObjectName(QStringLiteral("wal-checkpointer"));
    moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(this, &WalCheckpointer::open, Qt::BlockingQueuedConnection);
}

WalCheckpointer::~WalCheckpointer()
{
    QMetaObject::invokeMethod(this, &WalCheckpointer::close, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void WalCheckpointer::open()
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_databasePath);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        qCWarning(lcStore) << "checkpoint thread cannot open the database:" << db.lastError().text();
        return;
    }
    m_working = true;
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    m_timer->setInterval(CheckpointIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &WalCheckpointer::checkpoint);
}

void WalCheckpointer::close()
{
    delete m_timer;
    m_timer = nullptr;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

void WalCheckpointer::committed()
{
    if (m_working && !m_requested.exchange(true, std::memory_order_acq_rel))
        QMetaObject::invokeMethod(this, &WalCheckpointer::scheduleCheckpoint, Qt::QueuedConnection);
}

void WalCheckpointer::scheduleCheckpoint()
{
    if (m_timer && !m_timer->isActive())
        m_timer->start();
}

void WalCheckpointer::checkpoint()
{
    // Commits from now on ask for the next checkpoint.
    m_requested.store(false, std::memory_order_release);
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen())
        return;
    // PASSIVE copies what it can and never waits for the writer.
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !query.next()) {
        qCWarning(lcStore) << "checkpoint failed:" << query.lastError().text();
        return;
    }
    const qint64 logFrames = query.value(1).toLongLong();
    const qint64 copiedFrames = query.value(2).toLongLong();
    query.finish();
    qCDebug(lcStore) << "checkpoint:" << copiedFrames << "of" << logFrames << "frames in the database file";
    if (logFrames >= RestartAfterFrames)
        m_restartWanted.store(true, std::memory_order_relaxed);
}
