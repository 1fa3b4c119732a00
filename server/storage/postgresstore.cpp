#include "postgresstore.h"
#include "sqlhelpers.h"

#include "logging.h"
#include "reactions.h"

#include <QScopeGuard>
#include <QUrl>
#include <QUrlQuery>

#include <map>
#include <memory>
#include <set>

using namespace SqlHelpers;

namespace {

// PostgreSQL starts from the schema SQLite's migrations end with; the table
// confab_schema remembers how far a database has come.
const QStringList postgresMigrations = {
        QStringLiteral(":/sql/postgres/001_schema.sql"),
        QStringLiteral(":/sql/postgres/002_one_owner.sql"),
        QStringLiteral(":/sql/postgres/003_account_changes.sql"),
};

} // namespace

PostgresStore::PostgresStore(const QString &connectionName)
    : SqlStore(connectionName)
{
}

QString PostgresStore::roomRecordSql() const
{
    return QStringLiteral("SELECT name, topic, last_seq, last_rev FROM rooms WHERE key = ?");
}

QString PostgresStore::lastSeqsSql() const
{
    return QStringLiteral("SELECT key, last_seq FROM rooms WHERE key IN (%1)");
}

std::unique_ptr<SqlStore> PostgresStore::open(const QString &location, QString *error)
{
    const QUrl url(location);
    const QString database = url.path().mid(1);
    if (!url.isValid() || database.isEmpty() || database.contains(u'/')) {
        *error = QStringLiteral("%1 is not a database URL (postgresql://USER@HOST:PORT/DATABASE)")
                         .arg(url.toDisplayString(QUrl::RemovePassword));
        return nullptr;
    }
    std::unique_ptr<PostgresStore> store(new PostgresStore(nextConnectionName()));
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
    if (!store->migrate(&why) || !store->prepareStatements(store->m_link, &why) || !store->loadAccountKeys(&why)
        || !store->startCommitThread(&why)) {
        *error = QStringLiteral("cannot use %1: %2").arg(shown, why);
        return nullptr;
    }
    return store;
}

bool PostgresStore::migrate(QString *error)
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

bool PostgresStore::lockInOrder(Link &link, Batch &batch, QString *error) const
{
    // Every commit takes the rows it shares with other servers' commits in
    // the same order: the rooms it changes (topic, seqs, revs) by key, then
    // the private conversations by pair. Taken in the order things were
    // said, two commits could each hold a row the other waits for, and
    // PostgreSQL would abort one (a deadlock).
    // A room this commit adds messages to is locked by raising its counter
    // by all of them at once (one statement rather than a lock and then an
    // update); the row stays locked until the commit, so another server's
    // transaction numbering the same room waits for this one and carries on
    // after it.
    std::map<QString, qint64> rooms; // key: how many new messages
    for (const PendingRoom &room : std::as_const(batch.rooms)) {
        if (room.topic)
            rooms.emplace(room.key, 0);
    }
    for (const PendingMessage &pending : std::as_const(batch.messages))
        ++rooms[pending.roomKey];
    for (const PendingMessage &pending : std::as_const(batch.updates))
        rooms.emplace(pending.roomKey, 0);
    std::set<QString> pairs;
    for (const PendingPrivate &pending : std::as_const(batch.privates))
        pairs.insert(pending.pair);
    auto run = [&](QSqlQuery &query, const QString &key) {
        query.bindValue(0, key);
        if (query.exec())
            return true;
        *error = sqlError(query.lastError());
        link.failedState = query.lastError().nativeErrorCode();
        return false;
    };
    QSqlQuery &lockRoom = link.statement(QStringLiteral("SELECT 1 FROM rooms WHERE key = ? FOR UPDATE"));
    batch.roomFirstSeqs.clear();
    for (const auto &[key, added] : rooms) {
        if (added == 0) {
            if (!run(lockRoom, key))
                return false;
            continue;
        }
        qint64 last = 0;
        if (!raise(link, QStringLiteral("UPDATE rooms SET last_seq = last_seq + ? WHERE key = ? RETURNING last_seq"), key,
                   added, &last, error))
            return false;
        batch.roomFirstSeqs.insert(key, last - added + 1);
    }
    if (pairs.empty())
        return true;
    // A new private conversation gets its row here, before it is locked.
    QSqlQuery &addPair =
            link.statement(QStringLiteral("INSERT INTO private_pairs (pair) VALUES (?) ON CONFLICT (pair) DO NOTHING"));
    QSqlQuery &lockPair = link.statement(QStringLiteral("SELECT 1 FROM private_pairs WHERE pair = ? FOR UPDATE"));
    for (const QString &pair : pairs) {
        if (!run(addPair, pair) || !run(lockPair, pair))
            return false;
    }
    return true;
}

bool PostgresStore::numberPending(Link &link, Batch &batch, Numbers *numbers, QString *error) const
{
    auto &messages = batch.messages;
    auto &updates = batch.updates;
    auto &privates = batch.privates;
    // Under the rows' locks (lockInOrder(), which numbered the rooms'
    // messages: given out here in append order).
    QHash<QString, qint64> next = batch.roomFirstSeqs;
    for (PendingMessage &pending : messages) {
        pending.message.seq = next[pending.roomKey]++;
        numbers->messageSeqs.append(pending.message.seq);
    }
    for (PendingMessage &pending : updates) {
        qint64 rev = 0;
        if (!raise(link, QStringLiteral("UPDATE rooms SET last_rev = last_rev + ? WHERE key = ? RETURNING last_rev"),
                   pending.roomKey, 1, &rev, error))
            return false;
        pending.message.rev = rev;
        numbers->updateRevs.append(rev);
        if (!mergeStored(link, pending, error))
            return false;
        numbers->updated.append(pending.message);
    }
    for (PendingPrivate &pending : privates) {
        // Its row exists: lockInOrder() made it.
        qint64 seq = 0;
        if (!raise(link,
                   QStringLiteral("UPDATE private_pairs SET last_seq = last_seq + ? WHERE pair = ? RETURNING last_seq"),
                   pending.pair, 1, &seq, error))
            return false;
        pending.message.seq = seq;
        numbers->privateSeqs.append(seq);
    }
    return true;
}

bool PostgresStore::raise(Link &link, const QString &sql, const QString &key, qint64 by, qint64 *last,
                          QString *error)
{
    QSqlQuery &query = link.statement(sql);
    query.bindValue(0, by);
    query.bindValue(1, key);
    if (!query.exec() || !query.next()) {
        *error = query.lastError().isValid() ? sqlError(query.lastError()) : QStringLiteral("no counter for %1").arg(key);
        link.failedState = query.lastError().nativeErrorCode();
        return false;
    }
    *last = query.value(0).toLongLong();
    return true;
}

bool PostgresStore::mergeStored(Link &link, PendingMessage &pending, QString *error) const
{
    if (pending.change.kind == Change::Whole)
        return true;
    // Locked until the commit: another server's change of this message
    // waits for this one and then merges with it.
    QSqlQuery &row =
            link.statement(QStringLiteral("SELECT reactions, deleted FROM messages WHERE room_key = ? AND seq = ? FOR UPDATE"));
    row.bindValue(0, pending.roomKey);
    row.bindValue(1, pending.message.seq);
    if (!row.exec()) {
        *error = sqlError(row.lastError());
        link.failedState = row.lastError().nativeErrorCode();
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
