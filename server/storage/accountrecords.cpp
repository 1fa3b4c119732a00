#include "accountrecords.h"

#include "names.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

QString identityOf(const QString &accountKey)
{
    return QStringLiteral("a:") + accountKey;
}

// A private conversation's key: the two identities, in order (as the chat
// service makes it).
QString pairOf(const QString &one, const QString &other)
{
    return one < other ? one + u'\n' + other : other + u'\n' + one;
}

} // namespace

bool AccountRecords::exec(const QString &sql, const QVariantList &values, QString *error)
{
    QSqlQuery query(m_db);
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        *error = query.lastError().text();
        return false;
    }
    return true;
}

bool AccountRecords::noteChange(QString *error)
{
    return exec(QStringLiteral("UPDATE account_changes SET generation = generation + 1"), {}, error);
}

std::optional<QList<AccountRecords::Entry>> AccountRecords::list(QString *error)
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral(
                "SELECT a.name, a.created, "
                "(SELECT COUNT(*) FROM room_roles r WHERE r.account_key = a.key AND r.role = 'owner'), "
                "(SELECT COUNT(*) FROM room_roles r WHERE r.account_key = a.key AND r.role = 'op') "
                "FROM accounts a ORDER BY a.key"))) {
        *error = query.lastError().text();
        return std::nullopt;
    }
    QList<Entry> entries;
    while (query.next())
        entries.append({query.value(0).toString(), query.value(1).toLongLong(), query.value(2).toInt(),
                        query.value(3).toInt()});
    return entries;
}

bool AccountRecords::movePrivatePairs(const QString &oldIdentity, const QString &newIdentity, QString *error)
{
    QSqlQuery pairs(m_db);
    if (!pairs.exec(QStringLiteral("SELECT DISTINCT pair FROM private_messages"))) {
        *error = pairs.lastError().text();
        return false;
    }
    QList<QPair<QString, QString>> moves;
    while (pairs.next()) {
        const QString pair = pairs.value(0).toString();
        const QString one = pair.section(u'\n', 0, 0);
        const QString other = pair.section(u'\n', 1);
        if (one == oldIdentity)
            moves.append({pair, pairOf(newIdentity, other)});
        else if (other == oldIdentity)
            moves.append({pair, pairOf(one, newIdentity)});
    }
    pairs.finish();
    for (const auto &[from, to] : std::as_const(moves)) {
        if (!exec(QStringLiteral("UPDATE private_messages SET pair = ?, "
                                 "recipient = CASE WHEN recipient = ? THEN ? ELSE recipient END WHERE pair = ?"),
                  {to, oldIdentity, newIdentity, from}, error))
            return false;
        if (m_postgres && !exec(QStringLiteral("UPDATE private_pairs SET pair = ? WHERE pair = ?"), {to, from}, error))
            return false;
    }
    return exec(QStringLiteral("UPDATE read_markers SET conversation = ? WHERE conversation = ?"),
                {u'@' + newIdentity, u'@' + oldIdentity}, error);
}

bool AccountRecords::moveIdentity(const QString &oldKey, const QString &newKey, QString *error)
{
    const QString oldMask = QStringLiteral("account:") + oldKey;
    const QString newMask = QStringLiteral("account:") + newKey;
    return exec(QStringLiteral("UPDATE room_roles SET account_key = ? WHERE account_key = ?"), {newKey, oldKey}, error)
           && exec(QStringLiteral("UPDATE room_mutes SET target = ? WHERE target = ?"), {newMask, oldMask}, error)
           && exec(QStringLiteral("UPDATE messages SET account = ? WHERE account = ?"), {newKey, oldKey}, error)
           && exec(QStringLiteral("UPDATE read_markers SET account = ? WHERE account = ?"), {newKey, oldKey}, error)
           && movePrivatePairs(identityOf(oldKey), identityOf(newKey), error);
}

bool AccountRecords::rename(const QString &oldKey, const QString &newName, QString *error)
{
    const QString newKey = Confab::Protocol::nameKey(newName);
    if (!m_db.transaction()) {
        *error = m_db.lastError().text();
        return false;
    }
    const bool done =
            exec(QStringLiteral("UPDATE accounts SET key = ?, name = ? WHERE key = ?"), {newKey, newName, oldKey}, error)
            && (newKey == oldKey || moveIdentity(oldKey, newKey, error))
            // Bans of the account follow it, under its new name.
            && exec(QStringLiteral("UPDATE room_bans SET mask_key = ?, mask = ? WHERE mask_key = ?"),
                    {QStringLiteral("account:") + newKey, QStringLiteral("account:") + newName,
                     QStringLiteral("account:") + oldKey},
                    error)
            && noteChange(error);
    if (!done || !m_db.commit()) {
        if (done)
            *error = m_db.lastError().text();
        m_db.rollback();
        return false;
    }
    return true;
}

bool AccountRecords::remove(const QString &key, qint64 nowMs, QString *error)
{
    if (!m_db.transaction()) {
        *error = m_db.lastError().text();
        return false;
    }
    // Kept, but reachable by no one: an identity no login ever has.
    const QString setAside = QStringLiteral("deleted:%1:%2").arg(key).arg(nowMs);
    const bool done =
            exec(QStringLiteral("DELETE FROM accounts WHERE key = ?"), {key}, error)
            && exec(QStringLiteral("DELETE FROM room_roles WHERE account_key = ?"), {key}, error)
            && exec(QStringLiteral("DELETE FROM room_mutes WHERE target = ?"), {QStringLiteral("account:") + key}, error)
            && exec(QStringLiteral("DELETE FROM read_markers WHERE account = ?"), {key}, error)
            && exec(QStringLiteral("UPDATE messages SET account = NULL WHERE account = ?"), {key}, error)
            && movePrivatePairs(identityOf(key), setAside, error) && noteChange(error);
    if (!done || !m_db.commit()) {
        if (done)
            *error = m_db.lastError().text();
        m_db.rollback();
        return false;
    }
    return true;
}
