#pragma once

#include "accountstore.h"
#include "messagestore.h"
#include "moderationstore.h"

#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <map>
#include <memory>
#include <mutex>

class QThread;

// MessageStore, AccountStore and ModerationStore through Qt SQL: what both
// engines share. Each engine is a class of its own with its schema as SQL
// files (server/storage/sql/, sql/postgres/):
// - SqliteStore (a file path; the embedded default), in WAL mode, its log
//   checkpointed on a thread of its own (see WalCheckpointer);
// - PostgresStore (a postgresql:// URL), which several servers share in
//   cluster mode. There the database numbers what is committed (seq, rev),
//   so that two servers never give out the same number nor skip one.
// Appends are kept in memory until commit(), which writes them in one
// transaction. The statements here are the same on both engines; what
// differs is behind the protected hooks below.
class SqlStore : public MessageStore, public AccountStore, public ModerationStore
{
public:
    // A path (":memory:" keeps nothing) or a URL
    // postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (?host=/run/postgresql
    // for a Unix socket directory).
    static std::unique_ptr<SqlStore> open(const QString &location, QString *error);
    static bool isDatabaseUrl(const QString &location);
    ~SqlStore() override;

    Numbers committedNumbers() const override { return m_committed; }
    void noteAccount(const QString &key) override
    {
        const std::lock_guard lock(m_accountKeysMutex);
        m_accountKeys.insert(key);
        if (m_readingAccountKeys)
            m_notedWhileReading.insert(key);
    }
    QHash<QString, qint64> lastSeqs(const QList<QString> &roomKeys) override;

    std::optional<RoomRecord> loadRoom(const QString &key) override;
    void appendMessage(const QString &roomKey, const QString &roomName,
                       const Confab::Protocol::ChatMessage &message, const QString &accountKey) override;
    void updateMessage(const QString &roomKey, const Confab::Protocol::ChatMessage &message,
                       const Change &change = {}) override;
    std::optional<StoredMessage> message(const QString &roomKey, const QString &roomName, qint64 seq) override;
    qint64 lastPrivateSeq(const QString &pair) override;
    void appendPrivate(const QString &pair, const QString &recipient, const Confab::Protocol::PrivateMessage &message,
                       bool delivered) override;
    QList<Confab::Protocol::PrivateMessage> privateHistory(const QString &pair, const HistoryQuery &query,
                                                           qint64 notBeforeTs) override;
    QList<Confab::Protocol::PrivateMessage> takeWaiting(const QString &recipient, int limit) override;
    void keepWaiting(const QString &pair, qint64 seq) override;
    QHash<QString, qint64> readMarkers(const QString &accountKey) override;
    bool setReadMarker(const QString &accountKey, const QString &conversation, qint64 seq) override;
    void saveTopic(const QString &roomKey, const QString &roomName, const QString &topic) override;
    bool hasPending() const override
    {
        return !m_pendingMessages.isEmpty() || !m_pendingRooms.isEmpty() || !m_pendingUpdates.isEmpty()
               || !m_pendingPrivate.isEmpty();
    }
    bool commit(QString *error) override;
    bool commitsInBackground() const override { return m_commitThread != nullptr; }
    void startCommit(QObject *context, CommitDone done) override;
    void finishCommit() override;
    QList<Confab::Protocol::ChatMessage> history(const QString &roomKey, const QString &roomName,
                                                 const HistoryQuery &query) override;
    void waitForReads() override;
    void offload(QObject *context, std::function<void()> work, std::function<void()> done) override;

    std::optional<Account> loadAccount(const QString &key) override;
    bool hasAccount(const QString &key) const override
    {
        const std::lock_guard lock(m_accountKeysMutex);
        return m_accountKeys.contains(key);
    }
    bool createAccount(const QString &key, const Account &account, QString *error) override;
    std::optional<qint64> accountChanges() override;
    bool reloadAccounts() override;
    // The connection of the thread this runs on, for the account
    // administration (accountrecords.h), which runs in its own process.
    QSqlDatabase connection() { return here().db; }
    bool setPasswordHash(const QString &key, const QByteArray &passwordHash, QString *error) override;

    QList<MuteRecord> loadMutes(const QString &roomKey) override;
    bool putMute(const QString &roomKey, const MuteRecord &mute, QString *error) override;
    bool removeMute(const QString &roomKey, const QString &target, QString *error) override;
    Modes loadModes(const QString &roomKey) override;
    bool saveModes(const QString &roomKey, const Modes &modes, QString *error) override;
    QList<BanRecord> loadBans(const QString &roomKey) override;
    bool putBan(const QString &roomKey, const QString &maskKey, const BanRecord &ban, QString *error) override;
    bool removeBan(const QString &roomKey, const QString &maskKey, QString *error) override;
    QHash<QString, Rank> loadRoles(const QString &roomKey) override;
    bool setRole(const QString &roomKey, const QString &accountKey, Rank rank, QString *error) override;
    ClaimOutcome claimRoom(const QString &roomKey, const QString &accountKey, QString *error) override;
    bool appendAudit(const QString &roomKey, const AuditRecord &record, QString *error) override;
    QList<AuditRecord> audit(const std::optional<QString> &roomKey, std::optional<qint64> beforeTs,
                             int limit) override;

protected:
    explicit SqlStore(const QString &connectionName);
    static QString nextConnectionName();

    // What differs between the engines.
    // A database at the other end of a network: a failed statement may mean
    // the connection is gone; it is made again before the next use.
    virtual bool losesConnections() const = 0;
    // A room's name, topic, last seq and last rev, by its key (each `?`).
    virtual QString roomRecordSql() const = 0;
    // Each room's key and last seq, for the keys in %1 (marks).
    virtual QString lastSeqsSql() const = 0;
    // One connection to the database and the statements prepared on it:
    // the store's own, and (PostgreSQL) the commit thread's.
    struct Link
    {
        QSqlDatabase db;
        std::unique_ptr<QSqlQuery> insertMessage;
        std::unique_ptr<QSqlQuery> insertRoom;
        std::unique_ptr<QSqlQuery> updateTopic;
        std::unique_ptr<QSqlQuery> updateMessage;
        std::unique_ptr<QSqlQuery> insertPrivate;
        // The commit's other statements, each prepared on first use and
        // kept: PostgreSQL prepares on the server, so preparing one for
        // each use would cost two more round trips (PREPARE, DEALLOCATE).
        std::map<QString, std::unique_ptr<QSqlQuery>> kept;
        // The last one that did not prepare: not kept, so that the next
        // commit prepares it again; its exec() fails and says why.
        std::unique_ptr<QSqlQuery> unprepared;
        // Rooms whose row this connection has seen committed: a message to
        // one of them needs no INSERT … ON CONFLICT first (rooms are never
        // deleted).
        QSet<QString> storedRooms;
        bool lost = false; // PostgreSQL: made again before its next use
        // The SQLSTATE of the last failed statement ("" when none).
        QString failedState;
        void close();
        QSqlQuery &statement(const QString &sql);
    };
    // PostgreSQL: after the connection was lost, a new one (and its
    // prepared statements); false while the server is still unreachable.
    bool reconnect(Link &link, QString *error) const;
    void closeConnection();
    // False while the connection is lost and cannot be made again.
    bool readable();
    // The connection of the thread this runs on: the commit thread's there
    // (offload()), the store's own anywhere else.
    Link &here();
    bool loadAccountKeys(QString *error);
    bool prepareStatements(Link &link, QString *error) const;

    struct PendingMessage
    {
        QString roomKey;
        Confab::Protocol::ChatMessage message;
        QString accountKey;
        Change change; // updates
    };
    struct PendingRoom
    {
        QString key;
        QString name;
        std::optional<QString> topic;
    };

    QString m_connectionName;
    Link m_link;
    Numbers m_committed;
    // Every account's key, kept in memory: reserved nicks are checked on
    // every hello and nick change.
    QSet<QString> m_accountKeys;
    // Accounts made while loadAccountKeys() reads them again: kept, though
    // the read may not have seen them.
    bool m_readingAccountKeys = false;
    QSet<QString> m_notedWhileReading;
    // createAccount() may run on the commit thread (MessageStore::offload()).
    mutable std::mutex m_accountKeysMutex;
    QList<PendingMessage> m_pendingMessages;
    QList<PendingRoom> m_pendingRooms;
    QList<PendingMessage> m_pendingUpdates;
    struct PendingPrivate
    {
        QString pair;
        QString recipient;
        Confab::Protocol::PrivateMessage message;
        bool delivered;
    };
    QList<PendingPrivate> m_pendingPrivate;
    // What one commit writes.
    struct Batch
    {
        QList<PendingRoom> rooms;
        QList<PendingMessage> messages;
        QList<PendingMessage> updates;
        QList<PendingPrivate> privates;
        // PostgreSQL: the seq of each room's first message in this batch
        // (lockInOrder() numbers them as it locks the room's row).
        QHash<QString, qint64> roomFirstSeqs;
    };
    Batch takeBatch();
    // Writes the batch in one transaction on `link`; `numbers`: what the
    // database gave (PostgreSQL). A transaction the database aborted for a
    // conflict with another's (a deadlock, a serialization failure) is
    // tried again, a few times, before it counts as failed.
    bool write(Link &link, Batch &batch, Numbers *numbers, QString *error) const;
    bool writeOnce(Link &link, Batch &batch, Numbers *numbers, QString *error) const;
    // Within the commit's transaction, first: every row the batch will
    // change that another server's commit may change too, locked in one
    // order (by key), so that two commits never wait for each other
    // (PostgreSQL; SQLite has one writer). It may number as it locks.
    virtual bool lockInOrder(Link &link, Batch &batch, QString *error) const
    {
        Q_UNUSED(link) Q_UNUSED(batch) Q_UNUSED(error)
        return true;
    }
    // Within the commit's transaction: the numbers the database gives to
    // what is pending (where the database numbers them), written into the
    // batch and into `numbers`.
    virtual bool numberPending(Link &link, Batch &batch, Numbers *numbers, QString *error) const
    {
        Q_UNUSED(link) Q_UNUSED(batch) Q_UNUSED(numbers) Q_UNUSED(error)
        return true;
    }
    // PostgreSQL: commits run on a thread of their own with its own
    // connection (startCommit()).
    struct CommitJob;
    QThread *m_commitThread = nullptr;
    QObject *m_committer = nullptr; // lives on m_commitThread
    std::unique_ptr<Link> m_commitLink; // used on m_commitThread only
    std::shared_ptr<CommitJob> m_job;   // the commit started last, until finished
    bool startCommitThread(QString *error);
    // Runs a finished job's `done`, once.
    void report(const std::shared_ptr<CommitJob> &job);
};
