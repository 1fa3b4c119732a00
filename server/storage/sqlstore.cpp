#include "sqlstore.h"

#include "logging.h"
#include "reactions.h"
#include "walcheckpointer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSqlError>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>
#include <QVariant>

#include <condition_variable>
#include <mutex>

using Confab::Protocol::ChatMessage;
using Confab::Protocol::PrivateMessage;
using Confab::Protocol::Reaction;

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

// The columns a ChatMessage is read from, in the order messageFromRow() reads them.
const QLatin1String messageColumns("seq, sender, text, ts, action, edited, deleted, reactions, rev");

QString reactionsToJson(const std::optional<QList<Reaction>> &reactions)
{
    if (!reactions || reactions->isEmpty())
        return QString();
    QJsonArray array;
    for (const Reaction &reaction : *reactions)
        array.append(QJsonObject{{QStringLiteral("emoji"), reaction.emoji},
                                 {QStringLiteral("nicks"), QJsonArray::fromStringList(reaction.nicks)}});
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

std::optional<QList<Reaction>> reactionsFromJson(const QString &json)
{
    if (json.isEmpty())
        return std::nullopt;
    QList<Reaction> reactions;
    const QJsonArray array = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        Reaction reaction{object.value(QStringLiteral("emoji")).toString(), {}, std::nullopt, std::nullopt};
        for (const QJsonValue &nick : object.value(QStringLiteral("nicks")).toArray())
            reaction.nicks.append(nick.toString());
        if (!reaction.emoji.isEmpty() && !reaction.nicks.isEmpty())
            reactions.append(reaction);
    }
    return reactions.isEmpty() ? std::nullopt : std::optional<QList<Reaction>>(reactions);
}

// A row selected with messageColumns. Fields a message never had stay absent,
// so an untouched message reads back exactly as version 1 sent it.
ChatMessage messageFromRow(const QSqlQuery &row, const QString &roomName)
{
    ChatMessage message{roomName, row.value(1).toString(), row.value(2).toString(), row.value(3).toLongLong(),
                        row.value(0).toLongLong(), std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                        std::nullopt};
    // A deleted message keeps nothing of what it was: not even that it was
    // an action (rows deleted before this was stored still say so).
    const bool deleted = row.value(6).toInt() != 0;
    if (deleted)
        message.deleted = true;
    else if (row.value(4).toInt() != 0)
        message.action = true;
    if (!row.value(5).isNull())
        message.edited = row.value(5).toLongLong();
    message.reactions = reactionsFromJson(row.value(7).toString());
    if (!row.value(8).isNull())
        message.rev = row.value(8).toLongLong();
    return message;
}

// Qt binds a null QString as SQL NULL; keys of "" (the whole server) must
// stay strings.
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QString sqlError(const QSqlError &error)
{
    // One line: PostgreSQL's messages come with a line of advice.
    return error.text().simplified();
}

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        *error = QStringLiteral("%1 (%2)").arg(sqlError(query.lastError()), sql.simplified().left(80));
        return false;
    }
    return true;
}

// Runs the statements of a migration file in a transaction of its own,
// which the caller commits (after recording the new version).
bool runScript(QSqlDatabase &db, const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("missing migration %1").arg(path);
        return false;
    }
    const QString script = QString::fromUtf8(file.readAll());
    if (!db.transaction()) {
        *error = sqlError(db.lastError());
        return false;
    }
    // QSqlQuery runs one statement at a time. Comment lines go first, so
    // that a ';' in a comment does not cut a statement.
    QString code;
    for (const QString &line : script.split(u'\n')) {
        if (!line.trimmed().startsWith(QLatin1String("--")))
            code += line + u'\n';
    }
    for (const QString &sql : code.split(u';', Qt::SkipEmptyParts)) {
        if (sql.trimmed().isEmpty())
            continue;
        if (!exec(db, sql, error)) {
            db.rollback();
            return false;
        }
    }
    return true;
}

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

std::optional<MessageStore::RoomRecord> SqlStore::loadRoom(const QString &key)
{
    if (!readable())
        return std::nullopt;
    QSqlQuery query(here().db);
    if (m_engine == Engine::Postgres) {
        query.prepare(QStringLiteral("SELECT name, topic, last_seq, last_rev FROM rooms WHERE key = ?"));
    } else {
        query.prepare(QStringLiteral("SELECT name, topic, (SELECT MAX(seq) FROM messages WHERE room_key = ?), "
                                     "(SELECT MAX(rev) FROM messages WHERE room_key = ? AND rev IS NOT NULL) "
                                     "FROM rooms WHERE key = ?"));
        query.addBindValue(key);
        query.addBindValue(key);
    }
    query.addBindValue(key);
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read room:" << sqlError(query.lastError());
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return RoomRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toLongLong(),
                      query.value(3).toLongLong()};
}

void SqlStore::appendMessage(const QString &roomKey, const QString &roomName, const ChatMessage &message,
                                const QString &accountKey)
{
    if (m_pendingRooms.isEmpty() || m_pendingRooms.last().key != roomKey)
        m_pendingRooms.append(PendingRoom{roomKey, roomName, std::nullopt});
    m_pendingMessages.append(PendingMessage{roomKey, message, accountKey, Change{}});
}

void SqlStore::updateMessage(const QString &roomKey, const ChatMessage &message, const Change &change)
{
    m_pendingUpdates.append(PendingMessage{roomKey, message, QString(), change});
}

std::optional<MessageStore::StoredMessage> SqlStore::message(const QString &roomKey, const QString &roomName,
                                                                qint64 seq)
{
    QSqlQuery select(here().db);
    select.setForwardOnly(true);
    select.prepare(QStringLiteral("SELECT %1, account FROM messages WHERE room_key = ? AND seq = ?").arg(messageColumns));
    select.addBindValue(roomKey);
    select.addBindValue(seq);
    if (!select.exec()) {
        qCCritical(lcStore) << "cannot read a message:" << sqlError(select.lastError());
        return std::nullopt;
    }
    if (!select.next())
        return std::nullopt;
    return StoredMessage{messageFromRow(select, roomName), select.value(9).toString()};
}

void SqlStore::saveTopic(const QString &roomKey, const QString &roomName, const QString &topic)
{
    m_pendingRooms.append(PendingRoom{roomKey, roomName, topic});
}

SqlStore::Batch SqlStore::takeBatch()
{
    return Batch{std::exchange(m_pendingRooms, {}), std::exchange(m_pendingMessages, {}),
                 std::exchange(m_pendingUpdates, {}), std::exchange(m_pendingPrivate, {})};
}

bool SqlStore::commit(QString *error)
{
    if (!hasPending())
        return true;
    Batch batch = takeBatch();
    m_committed = Numbers{};
    return write(m_link, batch, &m_committed, error);
}

bool SqlStore::write(Link &link, Batch &batch, Numbers *numbers, QString *error) const
{
    const auto &rooms = batch.rooms;
    auto &messages = batch.messages;
    auto &updates = batch.updates;
    auto &privates = batch.privates;
    QSqlDatabase &db = link.db;
    if (link.lost && !reconnect(link, error))
        return false;
    if (!db.transaction()) {
        *error = sqlError(db.lastError());
        // PostgreSQL: the connection is gone (a restart, a network cut); a
        // new one is tried at the next commit.
        link.lost = m_engine == Engine::Postgres;
        return false;
    }
    auto fail = [&](const QSqlQuery &query) {
        *error = sqlError(query.lastError());
        db.rollback();
        link.lost = m_engine == Engine::Postgres;
        *numbers = Numbers{};
        return false;
    };
    for (const PendingRoom &room : rooms) {
        link.insertRoom->bindValue(0, room.key);
        link.insertRoom->bindValue(1, room.name);
        if (!link.insertRoom->exec())
            return fail(*link.insertRoom);
        if (room.topic) {
            link.updateTopic->bindValue(0, *room.topic);
            link.updateTopic->bindValue(1, room.key);
            if (!link.updateTopic->exec())
                return fail(*link.updateTopic);
        }
    }
    if (m_engine == Engine::Postgres && !numberPending(link, batch, numbers, error)) {
        db.rollback();
        link.lost = true;
        *numbers = Numbers{};
        return false;
    }
    for (const PendingMessage &pending : messages) {
        link.insertMessage->bindValue(0, pending.roomKey);
        link.insertMessage->bindValue(1, pending.message.seq);
        link.insertMessage->bindValue(2, pending.message.from);
        link.insertMessage->bindValue(3, pending.message.text);
        link.insertMessage->bindValue(4, pending.message.ts);
        link.insertMessage->bindValue(5, pending.message.action.value_or(false) ? 1 : 0);
        link.insertMessage->bindValue(6, pending.accountKey.isEmpty() ? QVariant() : QVariant(pending.accountKey));
        if (!link.insertMessage->exec())
            return fail(*link.insertMessage);
    }
    for (const PendingMessage &pending : updates) {
        const ChatMessage &message = pending.message;
        link.updateMessage->bindValue(0, notNull(message.text));
        link.updateMessage->bindValue(1, message.edited ? QVariant(*message.edited) : QVariant());
        link.updateMessage->bindValue(2, message.deleted.value_or(false) ? 1 : 0);
        const QString reactions = reactionsToJson(message.reactions);
        link.updateMessage->bindValue(3, reactions.isEmpty() ? QVariant() : QVariant(reactions));
        link.updateMessage->bindValue(4, message.rev ? QVariant(*message.rev) : QVariant());
        link.updateMessage->bindValue(5, pending.roomKey);
        link.updateMessage->bindValue(6, message.seq);
        if (!link.updateMessage->exec())
            return fail(*link.updateMessage);
    }
    for (const PendingPrivate &pending : privates) {
        const PrivateMessage &message = pending.message;
        const QVariantList values{pending.pair, message.seq.value_or(0), message.from, message.to, pending.recipient,
                                  message.text, message.ts, message.action.value_or(false) ? 1 : 0,
                                  pending.delivered ? 1 : 0};
        for (int i = 0; i < values.size(); ++i)
            link.insertPrivate->bindValue(i, values.at(i));
        if (!link.insertPrivate->exec())
            return fail(*link.insertPrivate);
    }
    if (!db.commit()) {
        *error = sqlError(db.lastError());
        db.rollback();
        link.lost = m_engine == Engine::Postgres;
        *numbers = Numbers{};
        return false;
    }
    return true;
}

bool SqlStore::mergeStored(Link &link, PendingMessage &pending, QString *error) const
{
    if (pending.change.kind == Change::Whole)
        return true;
    // Locked until the commit: another server's change of this message
    // waits for this one and then merges with it.
    QSqlQuery row(link.db);
    row.prepare(QStringLiteral("SELECT reactions, deleted FROM messages WHERE room_key = ? AND seq = ? FOR UPDATE"));
    row.addBindValue(pending.roomKey);
    row.addBindValue(pending.message.seq);
    if (!row.exec()) {
        *error = sqlError(row.lastError());
        return false;
    }
    if (!row.next())
        return true;
    ChatMessage &message = pending.message;
    std::optional<QList<Reaction>> stored = reactionsFromJson(row.value(0).toString());
    if (row.value(1).toInt() != 0) {
        // Deleted meanwhile: it stays deleted.
        message.text.clear();
        message.deleted = true;
        message.action.reset();
        message.edited.reset();
        message.reactions.reset();
        return true;
    }
    if (pending.change.kind == Change::React) {
        // Toggled on what is stored; left as stored past the most kinds.
        toggleReaction(stored, pending.change.emoji, pending.change.nick);
    }
    message.reactions = stored;
    return true;
}

bool SqlStore::numberPending(Link &link, Batch &batch, Numbers *numbers, QString *error) const
{
    auto &messages = batch.messages;
    auto &updates = batch.updates;
    auto &privates = batch.privates;
    // Each counter is raised by what this commit adds to it at once: the
    // row stays locked until the commit, so another server's transaction
    // numbering the same room waits for this one and carries on after it.
    auto raise = [&](const QString &sql, const QString &key, qint64 by, qint64 *last) {
        QSqlQuery query(link.db);
        query.prepare(sql);
        query.addBindValue(by);
        query.addBindValue(key);
        if (!query.exec() || !query.next()) {
            *error = query.lastError().isValid() ? sqlError(query.lastError())
                                                 : QStringLiteral("no counter for %1").arg(key);
            return false;
        }
        *last = query.value(0).toLongLong();
        return true;
    };
    // By room, in order of appearance; then given out in append order.
    QHash<QString, qint64> added;
    for (const PendingMessage &pending : std::as_const(messages))
        ++added[pending.roomKey];
    QHash<QString, qint64> next;
    for (auto it = added.cbegin(); it != added.cend(); ++it) {
        qint64 last = 0;
        if (!raise(QStringLiteral("UPDATE rooms SET last_seq = last_seq + ? WHERE key = ? RETURNING last_seq"),
                   it.key(), it.value(), &last))
            return false;
        next.insert(it.key(), last - it.value() + 1);
    }
    for (PendingMessage &pending : messages) {
        pending.message.seq = next[pending.roomKey]++;
        numbers->messageSeqs.append(pending.message.seq);
    }
    for (PendingMessage &pending : updates) {
        qint64 rev = 0;
        if (!raise(QStringLiteral("UPDATE rooms SET last_rev = last_rev + ? WHERE key = ? RETURNING last_rev"),
                   pending.roomKey, 1, &rev))
            return false;
        pending.message.rev = rev;
        numbers->updateRevs.append(rev);
        if (!mergeStored(link, pending, error))
            return false;
        numbers->updated.append(pending.message);
    }
    for (PendingPrivate &pending : privates) {
        QSqlQuery insert(link.db);
        insert.prepare(QStringLiteral("INSERT INTO private_pairs (pair) VALUES (?) ON CONFLICT (pair) DO NOTHING"));
        insert.addBindValue(pending.pair);
        if (!insert.exec()) {
            *error = sqlError(insert.lastError());
            return false;
        }
        qint64 seq = 0;
        if (!raise(QStringLiteral("UPDATE private_pairs SET last_seq = last_seq + ? WHERE pair = ? RETURNING last_seq"),
                   pending.pair, 1, &seq))
            return false;
        pending.message.seq = seq;
        numbers->privateSeqs.append(seq);
    }
    return true;
}

QHash<QString, qint64> SqlStore::lastSeqs(const QList<QString> &roomKeys)
{
    // Asked every few seconds for every open room: a few queries in all,
    // not one per room.
    constexpr qsizetype RoomsPerQuery = 200;
    QHash<QString, qint64> seqs;
    if (!readable())
        return seqs;
    for (qsizetype first = 0; first < roomKeys.size(); first += RoomsPerQuery) {
        const QList<QString> keys = roomKeys.mid(first, RoomsPerQuery);
        QStringList marks(keys.size(), QStringLiteral("?"));
        QSqlQuery query(here().db);
        query.setForwardOnly(true);
        query.prepare((m_engine == Engine::Postgres
                               ? QStringLiteral("SELECT key, last_seq FROM rooms WHERE key IN (%1)")
                               : QStringLiteral("SELECT room_key, MAX(seq) FROM messages WHERE room_key IN (%1) "
                                                "GROUP BY room_key"))
                              .arg(marks.join(u',')));
        for (const QString &key : keys)
            query.addBindValue(key);
        if (!query.exec()) {
            qCCritical(lcStore) << "cannot read where rooms are:" << sqlError(query.lastError());
            here().lost = m_engine == Engine::Postgres;
            return seqs;
        }
        while (query.next())
            seqs.insert(query.value(0).toString(), query.value(1).toLongLong());
    }
    return seqs;
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

QList<ChatMessage> SqlStore::history(const QString &roomKey, const QString &roomName,
                                       const HistoryQuery &query)
{
    if (!readable())
        return {};
    Link &link = here();
    // With `after`, the oldest messages past it (catching up forwards);
    // otherwise the newest before `before` (scrolling back). Either way the
    // page is returned oldest first.
    // With `changedAfter`, the messages changed since, in the order they changed.
    const bool forwards = query.after.has_value() || query.changedAfter.has_value();
    QString sql = QStringLiteral("SELECT %1 FROM messages WHERE room_key = ?").arg(messageColumns);
    if (query.after)
        sql += QStringLiteral(" AND seq > ?");
    if (query.before)
        sql += QStringLiteral(" AND seq < ?");
    if (query.changedAfter)
        sql += QStringLiteral(" AND rev > ? ORDER BY rev ASC LIMIT ?");
    else
        sql += forwards ? QStringLiteral(" ORDER BY seq ASC LIMIT ?") : QStringLiteral(" ORDER BY seq DESC LIMIT ?");

    QSqlQuery select(link.db);
    select.setForwardOnly(true);
    select.prepare(sql);
    select.addBindValue(roomKey);
    if (query.after)
        select.addBindValue(*query.after);
    if (query.before)
        select.addBindValue(*query.before);
    if (query.changedAfter)
        select.addBindValue(*query.changedAfter);
    select.addBindValue(query.limit);

    QList<ChatMessage> page;
    if (!select.exec()) {
        qCCritical(lcStore) << "cannot read history:" << sqlError(select.lastError());
        link.lost = m_engine == Engine::Postgres;
        return page;
    }
    while (select.next())
        page.append(messageFromRow(select, roomName));
    if (!forwards)
        std::reverse(page.begin(), page.end());
    return page;
}

namespace {

// A row of "seq, sender, recipient_nick, text, ts, action".
PrivateMessage privateFromRow(const QSqlQuery &row)
{
    PrivateMessage message{row.value(1).toString(), row.value(2).toString(), row.value(3).toString(),
                           row.value(4).toLongLong(), std::nullopt, row.value(0).toLongLong(), std::nullopt};
    if (row.value(5).toInt() != 0)
        message.action = true;
    return message;
}

} // namespace

qint64 SqlStore::lastPrivateSeq(const QString &pair)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT MAX(seq) FROM private_messages WHERE pair = ?"));
    query.addBindValue(pair);
    if (!query.exec() || !query.next()) {
        qCCritical(lcStore) << "cannot read a private conversation:" << sqlError(query.lastError());
        return 0;
    }
    return query.value(0).toLongLong();
}

void SqlStore::appendPrivate(const QString &pair, const QString &recipient, const PrivateMessage &message,
                                bool delivered)
{
    m_pendingPrivate.append(PendingPrivate{pair, recipient, message, delivered});
}

QList<PrivateMessage> SqlStore::privateHistory(const QString &pair, const HistoryQuery &query,
                                                 qint64 notBeforeTs)
{
    if (!readable())
        return {};
    Link &link = here();
    // The same paging as history(): forwards from `after`, else backwards.
    const bool forwards = query.after.has_value();
    QString sql = QStringLiteral("SELECT seq, sender, recipient_nick, text, ts, action FROM private_messages "
                                 "WHERE pair = ? AND ts >= ?");
    if (query.after)
        sql += QStringLiteral(" AND seq > ?");
    if (query.before)
        sql += QStringLiteral(" AND seq < ?");
    sql += forwards ? QStringLiteral(" ORDER BY seq ASC LIMIT ?") : QStringLiteral(" ORDER BY seq DESC LIMIT ?");
    QSqlQuery select(link.db);
    select.setForwardOnly(true);
    select.prepare(sql);
    select.addBindValue(pair);
    select.addBindValue(notBeforeTs);
    if (query.after)
        select.addBindValue(*query.after);
    if (query.before)
        select.addBindValue(*query.before);
    select.addBindValue(query.limit);
    QList<PrivateMessage> page;
    if (!select.exec()) {
        qCCritical(lcStore) << "cannot read a private conversation:" << sqlError(select.lastError());
        link.lost = m_engine == Engine::Postgres;
        return page;
    }
    while (select.next())
        page.append(privateFromRow(select));
    if (!forwards)
        std::reverse(page.begin(), page.end());
    return page;
}

void SqlStore::keepWaiting(const QString &pair, qint64 seq)
{
    if (!readable())
        return;
    QSqlQuery mark(here().db);
    mark.prepare(QStringLiteral("UPDATE private_messages SET delivered = 0 WHERE pair = ? AND seq = ?"));
    mark.addBindValue(pair);
    mark.addBindValue(seq);
    if (!mark.exec())
        qCCritical(lcStore) << "cannot keep a private message for its recipient's next login:"
                            << sqlError(mark.lastError());
}

QList<PrivateMessage> SqlStore::takeWaiting(const QString &recipient, int limit)
{
    if (!readable())
        return {};
    Link &link = here();
    QList<PrivateMessage> waiting;
    QSqlQuery select(link.db);
    select.setForwardOnly(true);
    select.prepare(QStringLiteral("SELECT seq, sender, recipient_nick, text, ts, action, pair FROM private_messages "
                                  "WHERE recipient = ? AND delivered = 0 ORDER BY ts ASC, seq ASC LIMIT ?"));
    select.addBindValue(recipient);
    select.addBindValue(limit);
    if (!select.exec()) {
        qCCritical(lcStore) << "cannot read waiting private messages:" << sqlError(select.lastError());
        return waiting;
    }
    QList<QPair<QString, qint64>> keys;
    while (select.next()) {
        waiting.append(privateFromRow(select));
        keys.append({select.value(6).toString(), select.value(0).toLongLong()});
    }
    select.finish();
    QSqlQuery mark(link.db);
    mark.prepare(QStringLiteral("UPDATE private_messages SET delivered = 1 WHERE pair = ? AND seq = ?"));
    for (const auto &[pair, seq] : std::as_const(keys)) {
        mark.bindValue(0, pair);
        mark.bindValue(1, seq);
        if (!mark.exec())
            qCCritical(lcStore) << "cannot mark a private message delivered:" << sqlError(mark.lastError());
    }
    return waiting;
}

QHash<QString, qint64> SqlStore::readMarkers(const QString &accountKey)
{
    if (!readable())
        return {};
    Link &link = here();
    QHash<QString, qint64> markers;
    QSqlQuery select(link.db);
    select.setForwardOnly(true);
    select.prepare(QStringLiteral("SELECT conversation, seq FROM read_markers WHERE account = ?"));
    select.addBindValue(accountKey);
    if (!select.exec()) {
        qCCritical(lcStore) << "cannot read read markers:" << sqlError(select.lastError());
        return markers;
    }
    while (select.next())
        markers.insert(select.value(0).toString(), select.value(1).toLongLong());
    return markers;
}

bool SqlStore::setReadMarker(const QString &accountKey, const QString &conversation, qint64 seq)
{
    QSqlQuery upsert(here().db);
    upsert.prepare(QStringLiteral("INSERT INTO read_markers (account, conversation, seq) VALUES (?, ?, ?) "
                                  "ON CONFLICT (account, conversation) DO UPDATE SET seq = excluded.seq"));
    upsert.addBindValue(accountKey);
    upsert.addBindValue(conversation);
    upsert.addBindValue(seq);
    if (!upsert.exec()) {
        qCCritical(lcStore) << "cannot store a read marker:" << sqlError(upsert.lastError());
        return false;
    }
    return true;
}

bool SqlStore::loadAccountKeys(QString *error)
{
    {
        const std::lock_guard lock(m_accountKeysMutex);
        m_readingAccountKeys = true;
        m_notedWhileReading.clear();
    }
    QSqlQuery query(here().db);
    const bool read = query.exec(QStringLiteral("SELECT key FROM accounts"));
    QSet<QString> keys;
    while (read && query.next())
        keys.insert(query.value(0).toString());
    const std::lock_guard lock(m_accountKeysMutex);
    m_readingAccountKeys = false;
    if (!read) {
        *error = sqlError(query.lastError());
        return false;
    }
    // A registration that committed after the read began is not lost.
    keys.unite(m_notedWhileReading);
    m_accountKeys = std::move(keys);
    return true;
}

std::optional<qint64> SqlStore::accountChanges()
{
    if (!readable())
        return std::nullopt;
    QSqlQuery query(here().db);
    if (!query.exec(QStringLiteral("SELECT generation FROM account_changes")) || !query.next())
        return std::nullopt;
    return query.value(0).toLongLong();
}

bool SqlStore::reloadAccounts()
{
    QString error;
    if (!readable() || !loadAccountKeys(&error)) {
        qCWarning(lcStore) << "cannot read the accounts again:" << error;
        return false;
    }
    return true;
}

std::optional<AccountStore::Account> SqlStore::loadAccount(const QString &key)
{
    if (!readable())
        return {};
    Link &link = here();
    QSqlQuery query(link.db);
    query.prepare(QStringLiteral("SELECT name, password_hash, created FROM accounts WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read account:" << sqlError(query.lastError());
        link.lost = m_engine == Engine::Postgres;
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return Account{query.value(0).toString(), query.value(1).toByteArray(), query.value(2).toLongLong()};
}

bool SqlStore::createAccount(const QString &key, const Account &account, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("INSERT INTO accounts (key, name, password_hash, created) VALUES (?, ?, ?, ?)"));
    query.addBindValue(key);
    query.addBindValue(account.name);
    query.addBindValue(QString::fromLatin1(account.passwordHash));
    query.addBindValue(account.createdMs);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    noteAccount(key);
    return true;
}

bool SqlStore::setPasswordHash(const QString &key, const QByteArray &passwordHash, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("UPDATE accounts SET password_hash = ? WHERE key = ?"));
    query.addBindValue(QString::fromLatin1(passwordHash));
    query.addBindValue(key);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    if (query.numRowsAffected() != 1) {
        *error = QStringLiteral("no such account");
        return false;
    }
    return true;
}

QHash<QString, Rank> SqlStore::loadRoles(const QString &roomKey)
{
    QHash<QString, Rank> roles;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT account_key, role FROM room_roles WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read roles:" << sqlError(query.lastError());
        return roles;
    }
    while (query.next())
        roles.insert(query.value(0).toString(),
                     query.value(1).toString() == QLatin1String("owner") ? Rank::Owner : Rank::Op);
    return roles;
}

bool SqlStore::setRole(const QString &roomKey, const QString &accountKey, Rank rank, QString *error)
{
    QSqlQuery query(here().db);
    if (rank == Rank::Member) {
        query.prepare(QStringLiteral("DELETE FROM room_roles WHERE room_key = ? AND account_key = ?"));
        query.addBindValue(notNull(roomKey));
        query.addBindValue(accountKey);
    } else {
        query.prepare(QStringLiteral("INSERT INTO room_roles (room_key, account_key, role) VALUES (?, ?, ?) "
                                     "ON CONFLICT (room_key, account_key) DO UPDATE SET role = excluded.role"));
        query.addBindValue(notNull(roomKey));
        query.addBindValue(accountKey);
        query.addBindValue(rank == Rank::Op ? QStringLiteral("op") : QStringLiteral("owner"));
    }
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

bool SqlStore::appendAudit(const QString &roomKey, const AuditRecord &record, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral(
            "INSERT INTO audit (ts, actor, action, room_key, room, target, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(record.ts);
    query.addBindValue(record.actor);
    query.addBindValue(record.action);
    query.addBindValue(notNull(roomKey));
    query.addBindValue(record.room ? QVariant(*record.room) : QVariant(QMetaType::fromType<QString>()));
    query.addBindValue(record.target ? QVariant(*record.target) : QVariant(QMetaType::fromType<QString>()));
    // A null QString binds as SQL NULL; the reason is '' when there is none.
    query.addBindValue(record.reason.isNull() ? QStringLiteral("") : record.reason);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

QList<ModerationStore::AuditRecord> SqlStore::audit(const std::optional<QString> &roomKey,
                                                        std::optional<qint64> beforeTs, int limit)
{
    QString sql = QStringLiteral("SELECT ts, actor, action, room, target, reason FROM audit WHERE 1 = 1");
    if (roomKey)
        sql += QStringLiteral(" AND room_key = ?");
    if (beforeTs)
        sql += QStringLiteral(" AND ts < ?");
    sql += QStringLiteral(" ORDER BY ts DESC, id DESC LIMIT ?");
    QSqlQuery query(here().db);
    query.setForwardOnly(true);
    query.prepare(sql);
    if (roomKey)
        query.addBindValue(notNull(*roomKey));
    if (beforeTs)
        query.addBindValue(*beforeTs);
    query.addBindValue(limit);
    QList<AuditRecord> records;
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read the audit log:" << sqlError(query.lastError());
        return records;
    }
    auto text = [&](int column) {
        return query.value(column).isNull() ? std::nullopt : std::optional<QString>(query.value(column).toString());
    };
    while (query.next()) {
        records.append(AuditRecord{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                                   text(3), text(4), query.value(5).toString()});
    }
    std::reverse(records.begin(), records.end());
    return records;
}

ModerationStore::ClaimOutcome SqlStore::claimRoom(const QString &roomKey, const QString &accountKey, QString *error)
{
    if (!readable()) {
        *error = QStringLiteral("the database cannot be reached");
        return ClaimOutcome::Failed;
    }
    QSqlQuery claim(here().db);
    claim.prepare(QStringLiteral(
            "INSERT INTO room_roles (room_key, account_key, role) SELECT ?, ?, 'owner' "
            "WHERE NOT EXISTS (SELECT 1 FROM room_roles WHERE room_key = ? AND role = 'owner') "
            "ON CONFLICT (room_key, account_key) DO UPDATE SET role = excluded.role"));
    claim.addBindValue(notNull(roomKey));
    claim.addBindValue(accountKey);
    claim.addBindValue(notNull(roomKey));
    if (claim.exec())
        return claim.numRowsAffected() > 0 ? ClaimOutcome::Claimed : ClaimOutcome::AlreadyOwned;
    // Two at the same moment both found no owner; the index let one in.
    *error = sqlError(claim.lastError());
    QSqlQuery owner(here().db);
    owner.prepare(QStringLiteral("SELECT 1 FROM room_roles WHERE room_key = ? AND role = 'owner'"));
    owner.addBindValue(notNull(roomKey));
    return owner.exec() && owner.next() ? ClaimOutcome::AlreadyOwned : ClaimOutcome::Failed;
}

QList<ModerationStore::BanRecord> SqlStore::loadBans(const QString &roomKey)
{
    QList<BanRecord> bans;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT mask, actor, reason, until FROM room_bans WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read bans:" << sqlError(query.lastError());
        return bans;
    }
    while (query.next()) {
        bans.append(BanRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                              query.value(3).isNull() ? std::nullopt
                                                      : std::optional<qint64>(query.value(3).toLongLong())});
    }
    return bans;
}

bool SqlStore::putBan(const QString &roomKey, const QString &maskKey, const BanRecord &ban, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("INSERT INTO room_bans (room_key, mask_key, mask, actor, reason, until) "
                                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room_key, mask_key) DO UPDATE SET "
                                 "mask = excluded.mask, actor = excluded.actor, reason = excluded.reason, "
                                 "until = excluded.until"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(maskKey);
    query.addBindValue(ban.mask);
    query.addBindValue(ban.actor);
    query.addBindValue(ban.reason.isNull() ? QStringLiteral("") : ban.reason);
    query.addBindValue(ban.untilMs ? QVariant(*ban.untilMs) : QVariant(QMetaType::fromType<qlonglong>()));
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

bool SqlStore::removeBan(const QString &roomKey, const QString &maskKey, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("DELETE FROM room_bans WHERE room_key = ? AND mask_key = ?"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(maskKey);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

QList<ModerationStore::MuteRecord> SqlStore::loadMutes(const QString &roomKey)
{
    QList<MuteRecord> mutes;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT target, actor, reason, until FROM room_mutes WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read mutes:" << sqlError(query.lastError());
        return mutes;
    }
    while (query.next()) {
        mutes.append(MuteRecord{query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
                                query.value(3).isNull() ? std::nullopt
                                                        : std::optional<qint64>(query.value(3).toLongLong())});
    }
    return mutes;
}

bool SqlStore::putMute(const QString &roomKey, const MuteRecord &mute, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral(
            "INSERT INTO room_mutes (room_key, target, actor, reason, until) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (room_key, target) DO UPDATE SET actor = excluded.actor, reason = excluded.reason, "
            "until = excluded.until"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(mute.target);
    query.addBindValue(mute.actor);
    query.addBindValue(mute.reason.isNull() ? QStringLiteral("") : mute.reason);
    query.addBindValue(mute.untilMs ? QVariant(*mute.untilMs) : QVariant(QMetaType::fromType<qlonglong>()));
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

bool SqlStore::removeMute(const QString &roomKey, const QString &target, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("DELETE FROM room_mutes WHERE room_key = ? AND target = ?"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(target);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}

ModerationStore::Modes SqlStore::loadModes(const QString &roomKey)
{
    Modes modes;
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("SELECT invite_only, join_key, topic_locked FROM room_modes WHERE room_key = ?"));
    query.addBindValue(notNull(roomKey));
    if (!query.exec()) {
        qCCritical(lcStore) << "cannot read room modes:" << sqlError(query.lastError());
        return modes;
    }
    if (query.next())
        modes = Modes{query.value(0).toBool(), query.value(1).toString(), query.value(2).toBool()};
    return modes;
}

bool SqlStore::saveModes(const QString &roomKey, const Modes &modes, QString *error)
{
    QSqlQuery query(here().db);
    query.prepare(QStringLiteral("INSERT INTO room_modes (room_key, invite_only, join_key, topic_locked) "
                                 "VALUES (?, ?, ?, ?) ON CONFLICT (room_key) DO UPDATE SET "
                                 "invite_only = excluded.invite_only, join_key = excluded.join_key, "
                                 "topic_locked = excluded.topic_locked"));
    query.addBindValue(notNull(roomKey));
    query.addBindValue(modes.inviteOnly ? 1 : 0);
    query.addBindValue(modes.key.isNull() ? QStringLiteral("") : modes.key);
    query.addBindValue(modes.topicLocked ? 1 : 0);
    if (!query.exec()) {
        *error = sqlError(query.lastError());
        return false;
    }
    return true;
}
