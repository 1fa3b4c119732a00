// SqlStore: rooms, messages and their changes, private messages, read
// markers; written in batches (commit), read back in pages.

#include "sqlstore.h"
#include "sqlhelpers.h"

#include "logging.h"

#include <QVariant>

#include <algorithm>

using Confab::Protocol::ChatMessage;
using Confab::Protocol::PrivateMessage;
using Confab::Protocol::Reaction;

using namespace SqlHelpers;

std::optional<MessageStore::RoomRecord> SqlStore::loadRoom(const QString &key)
{
    if (!readable())
        return std::nullopt;
    QSqlQuery query(here().db);
    const QString sql = roomRecordSql();
    query.prepare(sql);
    for (qsizetype mark = 0; mark < sql.count(u'?'); ++mark)
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
                 std::exchange(m_pendingUpdates, {}), std::exchange(m_pendingPrivate, {}), {}};
}

bool SqlStore::commit(QString *error)
{
    if (!hasPending())
        return true;
    Batch batch = takeBatch();
    m_committed = Numbers{};
    return write(m_link, batch, &m_committed, error);
}

namespace {

// PostgreSQL's SQLSTATEs for a transaction aborted because of another one:
// it may work when tried again.
bool conflictsWithAnother(const QString &state)
{
    return state == QLatin1String("40P01") || state == QLatin1String("40001");
}

} // namespace

bool SqlStore::write(Link &link, Batch &batch, Numbers *numbers, QString *error) const
{
    constexpr int Attempts = 3;
    for (int attempt = 1;; ++attempt) {
        link.failedState.clear();
        if (writeOnce(link, batch, numbers, error))
            return true;
        if (attempt == Attempts || !conflictsWithAnother(link.failedState))
            return false;
        qCWarning(lcStore).noquote() << "the commit met another one; trying it again:" << *error;
    }
}

bool SqlStore::writeOnce(Link &link, Batch &batch, Numbers *numbers, QString *error) const
{
    // Rooms in key order, like every lock the commit takes (lockInOrder());
    // a room's topics stay in the order they were set.
    QList<PendingRoom> rooms = batch.rooms;
    std::stable_sort(rooms.begin(), rooms.end(),
                     [](const PendingRoom &a, const PendingRoom &b) { return a.key < b.key; });
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
        link.lost = losesConnections();
        return false;
    }
    // A conflict with another transaction leaves the connection usable.
    auto failed = [&] {
        db.rollback();
        link.lost = losesConnections() && !conflictsWithAnother(link.failedState);
        *numbers = Numbers{};
        return false;
    };
    auto fail = [&](const QSqlQuery &query) {
        *error = sqlError(query.lastError());
        link.failedState = query.lastError().nativeErrorCode();
        return failed();
    };
    for (const PendingRoom &room : rooms) {
        if (link.storedRooms.contains(room.key))
            continue;
        link.insertRoom->bindValue(0, room.key);
        link.insertRoom->bindValue(1, room.name);
        if (!link.insertRoom->exec())
            return fail(*link.insertRoom);
    }
    if (!lockInOrder(link, batch, error))
        return failed();
    for (const PendingRoom &room : rooms) {
        if (room.topic) {
            link.updateTopic->bindValue(0, *room.topic);
            link.updateTopic->bindValue(1, room.key);
            if (!link.updateTopic->exec())
                return fail(*link.updateTopic);
        }
    }
    if (!numberPending(link, batch, numbers, error))
        return failed();
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
        link.lost = losesConnections();
        *numbers = Numbers{};
        return false;
    }
    for (const PendingRoom &room : rooms)
        link.storedRooms.insert(room.key);
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
        query.prepare(lastSeqsSql().arg(marks.join(u',')));
        for (const QString &key : keys)
            query.addBindValue(key);
        if (!query.exec()) {
            qCCritical(lcStore) << "cannot read where rooms are:" << sqlError(query.lastError());
            here().lost = losesConnections();
            return seqs;
        }
        while (query.next())
            seqs.insert(query.value(0).toString(), query.value(1).toLongLong());
    }
    return seqs;
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
        link.lost = losesConnections();
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
        link.lost = losesConnections();
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
